import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import { Webhook } from 'standardwebhooks';
import type { CircuitStateEvent } from '../subscriptions/hub-events';

export interface OutboundWebhookConfig {
  timeoutMs: number;
  /** Attempts per delivery (1 = no retry). */
  attempts: number;
  retryInitialDelayMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export interface OutboundMessage {
  clientId: string;
  url: string;
  secret: string;
  /** The Standard Webhooks `webhook-id`: the same across retries so the receiver can de-duplicate. */
  id: string;
  type: string;
  data: unknown;
}

export class OutboundHttpError extends Error {
  constructor(readonly status: number) {
    super(`the target answered ${status}`);
  }
}

const STATE_NAMES: Record<CircuitState, CircuitStateEvent['state']> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Rule webhooks: signed with the Standard Webhooks scheme, sent through one circuit breaker per client
 * and target origin (a dead target fails fast instead of holding evaluations), retried with backoff.
 */
export class OutboundWebhookSender {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly config: OutboundWebhookConfig,
    private readonly onCircuitState: (e: CircuitStateEvent) => void,
  ) {}

  /** Breaker name as published on the hub's `circuit-state` topic. */
  static breakerName(url: string): string {
    return `webhook:${new URL(url).origin}`;
  }

  private breakerFor(clientId: string, url: string): CircuitBreakerPolicy {
    const name = OutboundWebhookSender.breakerName(url);
    const key = `${clientId}\u0000${name}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen((e) => !(e instanceof BrokenCircuitError)), {
        halfOpenAfter: this.config.breakerHalfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.config.breakerThreshold),
      });
      let previous: CircuitStateEvent['state'] = 'closed';
      breaker.onStateChange((state) => {
        const next = STATE_NAMES[state];
        this.onCircuitState({ clientId, name, state: next, previous, at: new Date().toISOString() });
        previous = next;
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Sends once through retries and the breaker; resolves with the HTTP status, or throws the last error. */
  async send(m: OutboundMessage): Promise<{ status: number; attempts: number }> {
    const body = JSON.stringify({ type: m.type, timestamp: new Date().toISOString(), data: m.data });
    const signer = new Webhook(m.secret);
    const policy = wrap(
      retry(handleWhen((e) => !(e instanceof BrokenCircuitError)), {
        maxAttempts: Math.max(0, this.config.attempts - 1),
        backoff: new ExponentialBackoff({ initialDelay: this.config.retryInitialDelayMs, maxDelay: this.config.retryInitialDelayMs * 20 }),
      }),
      this.breakerFor(m.clientId, m.url),
    );
    let attempts = 0;
    const status = await policy.execute(async () => {
      attempts++;
      const at = new Date();
      const res = await fetch(m.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': m.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signer.sign(m.id, at, body),
        },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new OutboundHttpError(res.status);
      return res.status;
    });
    return { status, attempts };
  }
}
