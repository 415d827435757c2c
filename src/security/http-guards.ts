import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Redis from 'ioredis';
import { requestPrincipal } from '../auth/request-principal';
import type { Config } from '../config';
import { GatewayError } from '../errors/gateway-error';
import type { Services } from '../services';
import { sha256 } from '../shared/hash';

type Endpoint = 'webhooks' | 'graphql' | 'other';

/** Pages for humans and monitors get helmet's headers (CSP, nosniff, frame denial, …). */
const OPS_PAGES = /^\/(health|metrics|ops)(\/|$|\?)/;
/** Probes are never rate limited. */
const PROBES = new Set(['/health/live', '/health/ready']);
const KEY_CACHE_MS = 30_000;
const REDIS_ERROR_REPORT_MS = 30_000;

/**
 * The counters' connection. A request never waits for Redis to come back: without a connection a
 * command fails at once (no offline queue), a connected Redis that does not answer fails it after
 * `commandMs`, and the limit then fails open (skipOnError).
 */
function rateLimitRedis(url: string, timeouts: Config['redisTimeouts']): Redis {
  return new Redis(url, {
    connectTimeout: timeouts.connectMs,
    commandTimeout: timeouts.commandMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
  });
}

/** Resolves once `redis` is connected, or after `ms` (then requests go unlimited until it is). */
function connected(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

function endpointOf(url: string): Endpoint {
  if (url.startsWith('/api/v1/webhooks/')) return 'webhooks';
  if (url.startsWith('/graphql')) return 'graphql';
  return 'other';
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * CORS (closed unless origins are configured), helmet on ops pages, and rate limits per client and
 * per endpoint — in Redis when REDIS_URL is set, so every instance counts against the same buckets.
 */
export async function httpGuards(app: FastifyInstance, opts: { config: Config; services: Services }): Promise<void> {
  const { security } = opts.config;

  await app.register(cors, {
    origin: security.corsOrigins.length ? security.corsOrigins : false,
    credentials: false,
    maxAge: 600,
  });

  await app.register(helmet, {
    global: false,
    contentSecurityPolicy: {
      useDefaults: false,
      // The ops console: its own scripts, styles and same-origin fetch/WebSocket (CSP3 `'self'`
      // covers ws:/wss:); nothing inline.
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"],
      },
    },
  });
  app.addHook('onRequest', async (req, reply) => {
    if (OPS_PAGES.test(req.url)) await reply.helmet();
  });

  if (!security.rateLimit.enabled) return;
  const redis = opts.config.redisUrl ? rateLimitRedis(opts.config.redisUrl, opts.config.redisTimeouts) : undefined;
  if (redis) {
    opts.services.redis.watch(redis);
    let reported = 0;
    redis.on('error', (err) => {
      if (Date.now() - reported < REDIS_ERROR_REPORT_MS) return;
      reported = Date.now();
      app.log.warn({ err: err.message }, 'rate-limit redis error: limits fail open until it is back');
    });
    // Counting starts with the first request, not once Redis happens to be connected (bounded: it may be down).
    app.addHook('onReady', () => connected(redis, opts.config.redisTimeouts.connectMs));
    app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
  }

  const clientByKey = new Map<string, { clientId: string; at: number }>();
  /** The client behind an x-api-key (cached briefly: it only picks a bucket; authentication happens later). */
  async function clientOfKey(key: string): Promise<string | null> {
    const h = sha256(key);
    const hit = clientByKey.get(h);
    if (hit && Date.now() - hit.at < KEY_CACHE_MS) return hit.clientId;
    const record = await opts.services.apiKeys.authenticate(key).catch(() => null);
    if (!record) return null;
    if (clientByKey.size > 10_000) clientByKey.clear();
    clientByKey.set(h, { clientId: record.clientId, at: Date.now() });
    return record.clientId;
  }

  const refreshing = new Set<string>();
  /**
   * A client's settings as this instance last read them, refreshed in the background (one read at a
   * time per client): counting never waits for the store.
   */
  function knownSettingsOf(client: string) {
    if (!refreshing.has(client)) {
      refreshing.add(client);
      void opts.services.security
        .settingsOf(client)
        .catch(() => undefined)
        .finally(() => refreshing.delete(client));
    }
    return opts.services.security.knownSettingsOf(client);
  }

  /** `<endpoint>:<client>` for authenticated callers, else `<endpoint>:ip:<ip>` (claimed clients add their IP). */
  async function bucketOf(req: FastifyRequest): Promise<string> {
    const endpoint = endpointOf(req.url);
    const ip = opts.services.webhookAuth.ipOf(req.socket.remoteAddress, req.headers) ?? 'unknown';
    if (endpoint === 'graphql') {
      const principal = await requestPrincipal(req, opts.services).catch(() => null);
      if (principal?.clientId) return `graphql:${principal.clientId}`;
      if (principal) return `graphql:${principal.subject}`;
      return `graphql:ip:${ip}`;
    }
    const key = single(req.headers['x-api-key']);
    // A key this instance has verified for a delivery names its client without asking the store.
    const verified = key === undefined ? undefined : opts.services.webhookAuth.lastClientOf({ 'x-api-key': key });
    const client = key ? (verified ?? (await clientOfKey(key))) : null;
    if (client) return `${endpoint}:${client}`;
    const claimed = single(req.headers['x-client-id']);
    return claimed && /^[a-z][a-z0-9-]{1,62}$/.test(claimed)
      ? `${endpoint}:${claimed}:ip:${ip}`
      : `${endpoint}:ip:${ip}`;
  }

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: security.rateLimit.windowSeconds * 1000,
    nameSpace: security.rateLimit.namespace,
    redis,
    skipOnError: true, // a Redis outage must not stop deliveries
    allowList: (req) => PROBES.has(req.url.split('?')[0]),
    keyGenerator: bucketOf,
    max: async (req, key) => {
      const endpoint = endpointOf(req.url);
      const client = key.split(':')[1];
      if (endpoint !== 'other' && client && client !== 'ip') {
        const overrides = knownSettingsOf(client)?.rateLimits;
        const override = overrides?.[endpoint];
        if (override) return override;
      }
      return security.rateLimit.max[endpoint];
    },
    errorResponseBuilder: (_req, ctx) =>
      new GatewayError('GW_RATE_LIMITED', `Rate limit exceeded; retry in ${ctx.after}`, {
        details: { limit: ctx.max },
      }),
  });
}
