import { CLIENTS } from '../clients/registry';
import type { HubPubSub } from '../subscriptions/hub-events';
import type { EventDispatcher } from './event-dispatcher';

/**
 * Feeds the after-commit reactions (RFM re-scoring, rules) from the hub's event bus: the pipeline
 * publishes `webhook-processed` only after its transaction committed, and breakers publish
 * `circuit-state`. Nothing here runs on the ingest path; dispatching only enqueues.
 */
export class EventReactions {
  private readonly iterators: Array<AsyncIterator<unknown>> = [];
  private readonly loops: Array<Promise<void>> = [];

  constructor(
    private readonly events: HubPubSub,
    private readonly dispatcher: EventDispatcher,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(clientIds: string[] = Object.keys(CLIENTS)): void {
    if (this.iterators.length) return;
    for (const clientId of clientIds) {
      this.listen(this.events.subscribe('webhook-processed', clientId), (e) =>
        e.outcome === 'processed' ? this.dispatcher.dispatch({ kind: 'webhook', clientId, webhookEventId: e.id }) : undefined,
      );
      this.listen(this.events.subscribe('circuit-state', clientId), (e) =>
        this.dispatcher.dispatch({ kind: 'circuit', clientId, name: e.name, state: e.state, previous: e.previous, at: e.at }),
      );
    }
  }

  private listen<T>(source: AsyncIterable<T>, handle: (e: T) => Promise<void> | undefined): void {
    const it = source[Symbol.asyncIterator]();
    this.iterators.push(it as AsyncIterator<unknown>);
    this.loops.push(
      (async () => {
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          await Promise.resolve(handle(next.value)).catch(this.onError);
        }
      })().catch(this.onError),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.iterators.map((it) => it.return?.()));
    await Promise.all(this.loops);
    this.iterators.length = 0;
    this.loops.length = 0;
  }
}
