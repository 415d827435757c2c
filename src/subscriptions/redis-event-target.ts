import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { RedisStatus } from '../health/redis-status';
import type { HubEventTarget, HubTransport } from './hub-events';

const QUIT_TIMEOUT_MS = 1000;

/**
 * graphql-yoga's Redis event target: events published on any instance reach the subscribers of
 * every instance. Channels are `<prefix><topic>:<client>`, so hubs (or test runs) sharing a Redis
 * do not see each other's events. Live events are notifications, not records: when Redis is
 * unreachable they are dropped (and reported through `onError`), never allowed to fail a request.
 */
export function createRedisHubTransport(opts: {
  url: string;
  channelPrefix: string;
  timeouts?: { connectMs: number; commandMs: number };
  /** Where health reads whether the connections are up. */
  status?: RedisStatus;
  onError: (err: Error) => void;
}): HubTransport {
  const connectTimeout = opts.timeouts?.connectMs;
  // A subscriber connection cannot publish; subscriptions wait for Redis to come back, publications do
  // not (nobody awaits them: a publication Redis does not take is dropped after one reconnection).
  const commandTimeout = opts.timeouts?.commandMs;
  const publisherClient = new Redis(opts.url, { maxRetriesPerRequest: 1, connectTimeout, commandTimeout });
  // No ready check on the subscriber: its INFO would be refused once a SUBSCRIBE issued while
  // connecting has put the connection in subscriber mode, and the connection would never get ready.
  const subscriberClient = new Redis(opts.url, { maxRetriesPerRequest: null, enableReadyCheck: false, connectTimeout });
  opts.status?.watch(publisherClient);
  opts.status?.watch(subscriberClient);
  const publisher = guarded(publisherClient, opts.onError);
  const subscriber = guarded(subscriberClient, opts.onError);
  const inner = createRedisEventTarget<CustomEvent>({ publishClient: publisher, subscribeClient: subscriber });
  const prefix = opts.channelPrefix;

  type Listener = Parameters<typeof inner.addEventListener>[1];
  const eventTarget = {
    addEventListener: (type: string, listener: Listener) => inner.addEventListener(prefix + type, listener),
    removeEventListener: (type: string, listener: Listener) => inner.removeEventListener(prefix + type, listener),
    dispatchEvent: (event: CustomEvent) =>
      inner.dispatchEvent(new CustomEvent(prefix + event.type, { detail: event.detail })),
  } as unknown as HubEventTarget;

  return {
    eventTarget,
    async close() {
      await Promise.all([publisher, subscriber].map(quit));
    },
  };
}

/** Redis commands the event target fires and forgets must not become unhandled rejections. */
function guarded(client: Redis, onError: (err: Error) => void): Redis {
  client.on('error', onError);
  const fireAndForget = new Set(['publish', 'subscribe', 'unsubscribe']);
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !fireAndForget.has(prop)) return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(onError);
    },
  });
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS, 'timeout').unref());
  const result = await Promise.race([client.quit().catch(() => 'failed' as const), timeout]);
  if (result !== 'OK') client.disconnect();
}
