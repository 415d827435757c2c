import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { eventually } from '../support/eventually';
import { variant } from '../support/fixtures';
import { freePort } from '../support/gateway-process';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Redis unreachable (a dead port from the start, or gone mid-run): rate limits fail open and live
 * events are dropped at once, so a delivery costs what it costs with Redis up (the "normal" baseline
 * needs a real Redis: TEST_REDIS_URL; REQUIRE_SERVICES=1 turns its absence into a failure).
 */
const REDIS = process.env.TEST_REDIS_URL;
if (!REDIS && process.env.REQUIRE_SERVICES === '1') throw new Error('TEST_REDIS_URL is required (REQUIRE_SERVICES=1)');
if (!REDIS) {
  console.warn('redis-outage.test: TEST_REDIS_URL is not set; the Redis outage tests (real Redis needed) are skipped');
}
const describeRedis = REDIS ? describe : describe.skip;

const UP = { status: 'ok', store: 'up', redis: 'up' };
const DEGRADED = { status: 'degraded', store: 'up', redis: 'down' };
const ROUNDS = 40;
const WARMUP = 5;
/** Slack over twice the baseline: scheduling noise on a shared machine, not a Redis wait (those were 1.2–3.8 s). */
const SLACK_MS = 20;

const env = (redisUrl: string) => ({
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_WEBHOOKS_MAX: '100000',
  RATE_LIMIT_NAMESPACE: `axon-rl-outage-${randomBytes(4).toString('hex')}:`,
  REDIS_CHANNEL_PREFIX: `axon-outage-${randomBytes(4).toString('hex')}:`,
  REDIS_URL: redisUrl,
  QUEUE_WORKERS: '0',
});

let n = 0;
async function deliver(t: TestApp) {
  const started = performance.now();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/sales-flow',
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
    payload: JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: `S-REDIS-${process.pid}-${++n}` })),
  });
  return { status: res.statusCode, ms: performance.now() - started, headers: res.headers };
}

/** Median latency of ROUNDS sequential deliveries (after a warm-up); every one must be 200. */
async function medianLatency(t: TestApp): Promise<number> {
  for (let i = 0; i < WARMUP; i++) expect((await deliver(t)).status).toBe(200);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await deliver(t);
    expect(r.status).toBe(200);
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function health(t: TestApp) {
  const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
  const headers = { 'x-api-key': t.apiKey };
  const integrations = await t.app.inject({ method: 'GET', url: '/health/integrations/banban', headers });
  return { ready: { status: ready.statusCode, body: ready.json() }, redis: integrations.json().redis };
}

describeRedis('Redis unreachable', () => {
  let normal: number;

  beforeAll(async () => {
    const t = await startTestApp(env(REDIS!));
    try {
      expect(await health(t)).toEqual({ ready: { status: 200, body: UP }, redis: 'up' });
      normal = await medianLatency(t);
      // the baseline does count in Redis
      expect((await deliver(t)).headers['x-ratelimit-remaining']).toBeDefined();
    } finally {
      await t.close();
    }
  }, 120_000);

  it('a dead port from the start: unlimited (fail open), within 2× normal latency; health: Redis down', async () => {
    const t = await startTestApp(env(`redis://127.0.0.1:${await freePort()}`));
    try {
      const down = await medianLatency(t);

      console.log(`redis dead port: webhook median ${down.toFixed(1)} ms vs ${normal.toFixed(1)} ms with Redis up`);
      expect(down).toBeLessThanOrEqual(2 * normal + SLACK_MS);
      expect(await health(t)).toEqual({ ready: { status: 200, body: DEGRADED }, redis: 'down' });
    } finally {
      await t.close();
    }
  });

  it('gone mid-run (connections reset, then refused): the same, and limits count again once it is back', async () => {
    const target = new URL(REDIS!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    const t = await startTestApp(env(proxy.via(REDIS!)));
    try {
      expect((await health(t)).redis).toBe('up');
      await proxy.setMode('refuse');
      await eventually(async () => expect((await health(t)).redis).toBe('down'), 5000, 50);
      const down = await medianLatency(t);

      console.log(`redis gone mid-run: webhook median ${down.toFixed(1)} ms vs ${normal.toFixed(1)} ms with Redis up`);
      expect(down).toBeLessThanOrEqual(2 * normal + SLACK_MS);
      expect((await health(t)).ready).toEqual({ status: 200, body: DEGRADED });

      await proxy.setMode('pass');
      await eventually(async () => expect((await health(t)).redis).toBe('up'), 15_000, 100);
      const counted = await deliver(t);
      expect(counted.status).toBe(200);
      expect(Number(counted.headers['x-ratelimit-remaining'])).toBeLessThan(100_000);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
