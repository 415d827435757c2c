import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { PolicyConfig } from '../config';
import { CommitOutcomeUnknown, isStoreTimeout, isStoreUnavailable } from '../db/store-errors';
import type { CircuitStateEvent, HubPubSub } from '../subscriptions/hub-events';
import { WindowBreaker } from './window-breaker';

export type PolicyScope = 'flow' | 'connector';
export type BreakerState = CircuitStateEvent['state'];

export const BREAKER_STATE: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export interface BreakerSnapshot {
  clientId: string;
  scope: PolicyScope;
  /** `sales` for a flow's store calls, `connector:<name>` for a connector. */
  name: string;
  state: BreakerState;
  successes: number;
  failures: number;
  rejections: number;
  transitions: number;
  lastTransitionAt: Date | null;
}

export interface BreakerTransition {
  clientId: string;
  scope: PolicyScope;
  name: string;
  state: BreakerState;
  previous: BreakerState;
  at: Date;
}

/** Errors that say "the dependency is unwell" (they trip breakers); anything else is the caller's. */
const isStoreFailure = (err: unknown) => isStoreUnavailable(err) || err instanceof TaskCancelledError;
/**
 * Store failures worth an immediate retry: not a wait that would only be waited again (a timeout),
 * nor a COMMIT whose outcome is unknown (the caller is told so, and retries with the same id).
 */
const isRetryableStoreFailure = (err: unknown) =>
  isStoreUnavailable(err) && !isStoreTimeout(err) && !(err instanceof CommitOutcomeUnknown);

/** Errors worth another attempt at a source: the network, timeouts, a source that is busy or briefly down. */
export function isTransientSourceError(err: unknown): boolean {
  const e = err as { code?: string; status?: number; name?: string; message?: string; transient?: boolean } | null;
  if (!e) return false;
  if (e.transient === true) return true;
  if (e.name === 'TaskCancelledError') return true;
  if (typeof e.status === 'number') return e.status >= 500 || e.status === 408;
  // Sockets and PostgreSQL sources: the gateway's own classifier; then what MySQL and HTTP sources add.
  if (isStoreUnavailable(err)) return true;
  if (typeof e.code === 'string' && /^(PROTOCOL_CONNECTION_LOST|ER_CON_COUNT_ERROR)$/.test(e.code)) return true;
  return /socket hang up|fetch failed/i.test(e.message ?? '');
}

/** What a connector (src/connectors) needs from a policy: run a call with an abort signal. */
export interface ConnectorPolicy {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T>;
}

/** A registry policy as a connector's policy (the connectors' call shape). */
export function asConnectorPolicy(policy: ResiliencePolicy): ConnectorPolicy {
  return { execute: (fn) => policy.execute(async (signal) => fn({ signal })) };
}

/**
 * Which errors a policy counts and retries, when not the scope's defaults (flows: store failures;
 * connectors: every error), and the longest backoff (default 20 × the first).
 */
export interface PolicyClassifier {
  failing?: (err: unknown) => boolean;
  retryable?: (err: unknown) => boolean;
  maxRetryDelayMs?: number;
}

/** One client/flow/connector's policy: bulkhead → timeout → breaker → retry with jittered backoff. */
export class ResiliencePolicy {
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private readonly counters = {
    successes: 0,
    failures: 0,
    rejections: 0,
    transitions: 0,
    lastTransitionAt: null as Date | null,
  };
  /** Errors this breaker has counted (see recordOutage). */
  private readonly counted = new WeakSet<object>();

  constructor(
    readonly clientId: string,
    readonly scope: PolicyScope,
    readonly name: string,
    config: PolicyConfig,
    onTransition: (t: BreakerTransition) => void,
    classify: PolicyClassifier = {},
  ) {
    const failing = classify.failing
      ? handleWhen(classify.failing)
      : scope === 'flow'
        ? handleWhen(isStoreFailure)
        : handleAll;
    const retryable = classify.retryable
      ? handleWhen(classify.retryable)
      : scope === 'flow'
        ? handleWhen(isRetryableStoreFailure)
        : handleAll;
    this.breaker = circuitBreaker(failing, {
      halfOpenAfter: config.halfOpenAfterMs,
      breaker: new WindowBreaker(config.breakerFailures, config.breakerWindowMs),
    });
    const retrying = retry(retryable, {
      maxAttempts: config.retryAttempts,
      backoff: new ExponentialBackoff({
        initialDelay: config.retryInitialDelayMs,
        maxDelay: classify.maxRetryDelayMs ?? config.retryInitialDelayMs * 20,
      }),
    });
    // The store call does not watch the signal: aborting it on return would only build a DOMException per call.
    this.policy = wrap(
      bulkhead(config.bulkheadLimit, config.bulkheadQueue),
      timeout(config.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
      this.breaker,
      retrying,
    );
    let previous = this.breaker.state;
    this.breaker.onSuccess(() => this.counters.successes++);
    this.breaker.onFailure(({ reason }) => {
      if ('error' in reason && !(reason.error instanceof BrokenCircuitError)) this.counters.failures++;
      if ('error' in reason && typeof reason.error === 'object' && reason.error) this.counted.add(reason.error);
    });
    this.breaker.onStateChange((state) => {
      const at = new Date();
      this.counters.transitions++;
      this.counters.lastTransitionAt = at;
      onTransition({ clientId, scope, name, state: BREAKER_STATE[state], previous: BREAKER_STATE[previous], at });
      previous = state;
    });
  }

  get state(): BreakerState {
    return BREAKER_STATE[this.breaker.state];
  }

  get isOpen(): boolean {
    return this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.Isolated;
  }

  async execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => fn(signal));
    } catch (err) {
      if (isRejection(err)) this.counters.rejections++;
      throw err;
    }
  }

  /**
   * Counts a store failure met outside `execute` (authenticating, storing for the queue, reading a
   * replay) as the breaker's own, unless it already counted that error.
   */
  recordOutage(err: unknown): void {
    if (typeof err === 'object' && err && this.counted.has(err)) return;
    this.breaker.execute(() => Promise.reject(err)).catch(() => undefined);
  }

  snapshot(): BreakerSnapshot {
    return { clientId: this.clientId, scope: this.scope, name: this.name, state: this.state, ...this.counters };
  }
}

/** The call never ran: the breaker is open or the bulkhead is full. */
export function isRejection(err: unknown): err is BrokenCircuitError | BulkheadRejectedError {
  return err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError;
}

/**
 * Every call leaving the process goes through a policy from here: one per client and flow (the
 * store) and one per client and connector. Breaker transitions are published on the hub's bus.
 */
export class PolicyRegistry {
  private readonly policies = new Map<string, ResiliencePolicy>();
  private readonly listeners: Array<(t: BreakerTransition) => void> = [];

  constructor(
    private readonly config: PolicyConfig,
    private readonly events?: HubPubSub,
  ) {}

  /** The policy wrapping the store calls of one client's flow. */
  forFlow(clientId: string, flow: string): ResiliencePolicy {
    return this.get(clientId, 'flow', flow);
  }

  /** The policy wrapping one connector (an outbound HTTP API, another database, …) of a client. */
  forConnector(clientId: string, connector: string, overrides: Partial<PolicyConfig> = {}): ResiliencePolicy {
    return this.get(clientId, 'connector', `connector:${connector}`, overrides);
  }

  onTransition(listener: (t: BreakerTransition) => void): void {
    this.listeners.push(listener);
  }

  list(clientId?: string): BreakerSnapshot[] {
    return [...this.policies.values()].filter((p) => !clientId || p.clientId === clientId).map((p) => p.snapshot());
  }

  private get(
    clientId: string,
    scope: PolicyScope,
    name: string,
    overrides: Partial<PolicyConfig> = {},
  ): ResiliencePolicy {
    const key = `${clientId}\u0000${name}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = new ResiliencePolicy(clientId, scope, name, { ...this.config, ...overrides }, (t) =>
        this.transitioned(t),
      );
      this.policies.set(key, policy);
    }
    return policy;
  }

  private transitioned(t: BreakerTransition): void {
    this.events?.publish('circuit-state', t.clientId, {
      clientId: t.clientId,
      name: t.name,
      state: t.state,
      previous: t.previous,
      at: t.at.toISOString(),
    });
    for (const l of this.listeners) l(t);
  }
}
