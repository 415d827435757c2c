import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { isStoreUnavailable } from '../db/store-errors';

export interface ConnectorPolicyOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Consecutive failures that open the breaker, and how long it stays open. */
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Retries after the first attempt (the design's 3), exponential backoff with jitter. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CONNECTOR_POLICY: ConnectorPolicyOptions = {
  timeoutMs: 30_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  retries: 3,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
};

/**
 * What a connector needs from a policy: run a call with an abort signal. cockatiel's IPolicy is one;
 * the queue branch's ResiliencePolicy adapts in one line (see docs/etl.md).
 */
export interface ConnectorPolicy {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T>;
}

/** Errors worth another attempt: the network, timeouts, a source that is busy or briefly down. */
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

/**
 * One connector's policy: each attempt has a timeout; failures count towards a circuit breaker so a
 * source that is down is not hammered; transient failures are retried with jittered exponential
 * backoff. Execution order: retry → breaker → timeout → the call. The queue branch's policy
 * registry can replace this per (client, connector) at merge.
 */
export function connectorPolicy(opts: Partial<ConnectorPolicyOptions> = {}): IPolicy {
  const o = { ...DEFAULT_CONNECTOR_POLICY, ...opts };
  const transient = handleWhen(isTransientSourceError);
  const retryPolicy = retry(transient, {
    maxAttempts: o.retries,
    backoff: new ExponentialBackoff({ initialDelay: o.initialDelayMs, maxDelay: o.maxDelayMs }),
  });
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: o.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(o.breakerThreshold),
  });
  return wrap(retryPolicy, breaker, timeout(o.timeoutMs, TimeoutStrategy.Aggressive));
}
