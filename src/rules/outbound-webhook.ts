import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';
import { Webhook } from 'standardwebhooks';
import type { RuleWebhookConfig } from '../config';
import type { CircuitStateEvent } from '../subscriptions/hub-events';

export type OutboundWebhookConfig = Pick<
  RuleWebhookConfig,
  'timeoutMs' | 'breakerThreshold' | 'breakerHalfOpenAfterMs'
>;

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
 * and target origin (a dead target fails fast instead of holding workers). One call per attempt: the
 * retries are the `rule-outbound-webhook` job's (pg-boss, with backoff), each through the breaker.
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
      breaker = circuitBreaker(
        handleWhen((e) => !(e instanceof BrokenCircuitError)),
        {
          halfOpenAfter: this.config.breakerHalfOpenAfterMs,
          breaker: new ConsecutiveBreaker(this.config.breakerThreshold),
        },
      );
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

  /**
   * One attempt through the target's breaker: resolves with the HTTP status (2xx), or throws (an
   * open breaker: BrokenCircuitError).
   */
  async send(m: OutboundMessage): Promise<number> {
    const body = JSON.stringify({ type: m.type, timestamp: new Date().toISOString(), data: m.data });
    const signer = new Webhook(m.secret);
    return this.breakerFor(m.clientId, m.url).execute(async () => {
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
  }
}
