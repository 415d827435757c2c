import type { FastifyInstance } from 'fastify';
import { Client, createClient, FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { HubEventBus, WebhookProcessedEvent } from '../../src/subscriptions/hub-events';

/** Starts listening on an ephemeral port (if not yet) and returns the graphql-ws URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening on a TCP port');
  return `ws://127.0.0.1:${address.port}/graphql`;
}

/** A real graphql-ws client (the `ws` package as its WebSocket), failing fast instead of retrying. */
export function liveClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

type Result = FormattedExecutionResult<Record<string, any>, unknown>;

/** One subscription's results, in order, to await one by one. */
export class Feed {
  readonly results: Result[] = [];
  private failure: unknown;
  private completed = false;
  private wake: (() => void) | undefined;
  private readonly dispose: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.dispose = client.subscribe<Record<string, any>>(
      { query, variables },
      {
        next: (r) => this.push(() => this.results.push(r)),
        error: (e) => this.push(() => (this.failure = e ?? new Error('subscription failed'))),
        complete: () => this.push(() => (this.completed = true)),
      },
    );
  }

  /** The next result that matches, skipping others (and probes); rejects on failure, completion or timeout. */
  async next(match: (r: Result) => boolean = () => true, timeoutMs = 5000): Promise<Result> {
    return this.nextResult((r) => !isProbe(r) && match(r), timeoutMs);
  }

  /** Like `next`, probes included. */
  async nextResult(match: (r: Result) => boolean, timeoutMs: number): Promise<Result> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.results.findIndex(match);
      if (i >= 0) return this.results.splice(0, i + 1)[i];
      if (this.failure !== undefined) throw Object.assign(new Error('subscription failed'), { cause: this.failure });
      if (this.completed) throw new Error('subscription completed without a matching result');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching result within ${timeoutMs} ms (got ${JSON.stringify(this.results)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** How the subscription ended: a close event (refused connection), errors, or completion. */
  async end(timeoutMs = 5000): Promise<{ failure?: unknown; completed: boolean; results: Result[] }> {
    const deadline = Date.now() + timeoutMs;
    while (this.failure === undefined && !this.completed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.failure === undefined && !this.completed) throw new Error(`subscription still open after ${timeoutMs} ms`);
    return { failure: this.failure, completed: this.completed, results: this.results };
  }

  close(): void {
    this.dispose();
  }

  /** Results so far, probes left out. */
  pending(): Result[] {
    return this.results.filter((r) => !isProbe(r));
  }

  private push(update: () => void): void {
    update();
    this.wake?.();
    this.wake = undefined;
  }
}

let probes = 0;
const PROBE_MARK = '__probe__';

function isProbe(r: Result): boolean {
  return JSON.stringify(r.data ?? {}).includes(PROBE_MARK);
}

/**
 * Waits until the subscription is live end to end (the server has subscribed, and Redis has
 * confirmed its SUBSCRIBE): publishes probe events until the feed receives one. `next` skips
 * probes, also those still in flight.
 */
export async function untilLive(
  feed: Feed,
  publishProbe: (probeId: string) => void,
  field: string,
  timeoutMs = 5000,
): Promise<void> {
  const id = `${PROBE_MARK}-${process.pid}-${++probes}`;
  const deadline = Date.now() + timeoutMs;
  const isThisProbe = (r: Result) => JSON.stringify(r.data?.[field] ?? {}).includes(id);
  while (Date.now() < deadline) {
    publishProbe(id);
    try {
      await feed.nextResult(isThisProbe, 250);
      return;
    } catch (err) {
      if (!/no matching result/.test((err as Error).message)) throw err;
    }
  }
  throw new Error(
    `subscription not live within ${timeoutMs} ms (results: ${JSON.stringify(feed.results).slice(0, 500)})`,
  );
}

/** A probe for webhookProcessed: a processed-event payload no delivery would produce. */
export function webhookProbe(bus: HubEventBus, clientId = 'banban', flow = 'sales'): (id: string) => void {
  return (id) => {
    const probe: WebhookProcessedEvent = {
      id,
      clientId,
      flow,
      action: 'probe',
      outcome: 'processed',
      httpStatus: 200,
      durationMs: 0,
      at: new Date().toISOString(),
    };
    bus.publish('webhook-processed', clientId, probe);
  };
}
