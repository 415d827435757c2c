import type { Config } from '../config';
import type { RedisStatus } from '../health/redis-status';
import { createHubEventBus, HubEventBus } from './hub-events';
import { createRedisHubTransport } from './redis-event-target';

/** The hub's event bus for this configuration: through Redis when `REDIS_URL` is set, else in-process. */
export function createEventBus(
  config: Pick<Config, 'redisUrl' | 'redisChannelPrefix' | 'redisTimeouts'>,
  status?: RedisStatus,
): HubEventBus {
  const url = config.redisUrl;
  if (!url) return createHubEventBus();
  const { redisChannelPrefix: channelPrefix, redisTimeouts: timeouts } = config;
  const transport = (onError: (err: Error) => void) =>
    createRedisHubTransport({ url, channelPrefix, timeouts, status, onError });
  return createHubEventBus({ transport });
}
