import type { Config } from '../config';
import { createHubEventBus, HubEventBus } from './hub-events';
import { createRedisHubTransport } from './redis-event-target';

/** The hub's event bus for this configuration: through Redis when `REDIS_URL` is set, else in-process. */
export function createEventBus(config: Pick<Config, 'redisUrl' | 'redisChannelPrefix'>): HubEventBus {
  const url = config.redisUrl;
  if (!url) return createHubEventBus();
  return createHubEventBus({ transport: (onError) => createRedisHubTransport({ url, channelPrefix: config.redisChannelPrefix, onError }) });
}
