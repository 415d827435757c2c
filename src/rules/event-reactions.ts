import { CLIENTS } from '../clients/registry';
import type { HubPubSub } from '../subscriptions/hub-events';
import type { EventDispatcher } from './event-dispatcher';

/**
 * Feeds breaker state changes (`circuit-state` on the hub's bus) to the reaction queue, for
 * BREAKER_OPENED rules. (Processed deliveries need no listener: the pipeline enqueues their
 * reaction in the transaction that commits them.) Dispatching only enqueues.
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
      // Only an opening is an event rules react to (BREAKER_OPENED).
      this.listen(this.events.subscribe('circuit-state', clientId), (e) =>
        e.state === 'open'
          ? this.dispatcher.dispatch({
              kind: 'circuit',
              clientId,
              name: e.name,
              state: e.state,
              previous: e.previous,
              at: e.at,
            })
          : undefined,
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
