import { randomBytes } from 'node:crypto';
import { variant } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { appToken, bearer, JWT_ENV } from './tokens';

/**
 * Rate limits per client and per endpoint. The shared-Redis case needs TEST_REDIS_URL (CI sets it and
 * REQUIRE_SERVICES=1, which turns a missing Redis into a failure instead of a skip).
 */
const REDIS = process.env.TEST_REDIS_URL;
if (!REDIS && process.env.REQUIRE_SERVICES === '1') throw new Error('TEST_REDIS_URL is required (REQUIRE_SERVICES=1)');
const DEV_KEY = `axk_shared-dev-key-${randomBytes(8).toString('hex')}`;

let n = 0;
const sale = () => JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: `S-RL-${++n}` }));

async function post(t: TestApp, key = DEV_KEY) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/sales-flow',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    payload: sale(),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

const describeRedis = REDIS ? describe : describe.skip;
if (!REDIS) console.warn('rate-limit.test: TEST_REDIS_URL is not set; the two-instance Redis test is skipped');

describeRedis('two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const env = {
    ...JWT_ENV,
    RATE_LIMIT_ENABLED: 'true',
    REDIS_URL: REDIS!,
    RATE_LIMIT_NAMESPACE: `axon-rl-test-${randomBytes(4).toString('hex')}:`,
    RATE_LIMIT_WEBHOOKS_MAX: '6',
    RATE_LIMIT_GRAPHQL_MAX: '3',
    RATE_LIMIT_WINDOW_SECONDS: '60',
    DEV_API_KEY: DEV_KEY,
  };
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it(
    "one client's webhook budget is shared by both instances; " + 'the 7th is 429 with Retry-After and rate headers',
    async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(i % 2 ? b : a)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      const refused = await post(a);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('GW_RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['x-ratelimit-limit']).toBe('6');
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect((await post(b)).status).toBe(429);
      const { rows } = await a.db.query(`select count(*)::int as n from sales`);
      expect(rows[0].n).toBe(3); // the refused deliveries wrote nothing
    },
  );

  it('endpoints have their own budgets: GraphQL still answers, then hits its own limit', async () => {
    const q = async (t: TestApp) =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', ...bearer(await appToken('banban')) },
        payload: JSON.stringify({ query: '{ sales(first: 1) { edges { cursor } } }' }),
      });
    const codes = [(await q(a)).statusCode, (await q(b)).statusCode, (await q(a)).statusCode, (await q(b)).statusCode];
    expect(codes).toEqual([200, 200, 200, 429]);
  });

  it('probes are never limited', async () => {
    for (let i = 0; i < 10; i++)
      expect((await a.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});

describe('per-client overrides (one instance, in-memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_WEBHOOKS_MAX: '100' });
  });
  afterAll(() => t.close());

  it("a client's own limit overrides the default; other callers keep theirs", async () => {
    await t.services.security.update(t.db, 'banban', { rateLimits: { webhooks: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(t, t.apiKey)).status);
    expect(statuses).toEqual([200, 200, 429]);
    // an unknown key is bucketed by IP, under the default limit: 401, not 429
    expect((await post(t, 'axk_unknown-key-unknown-key-unknown-00')).status).toBe(401);
  });
});
