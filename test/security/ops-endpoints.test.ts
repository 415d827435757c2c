import { graphql, integrationHealth, scrapeMetrics } from '../support/http';
import { startTestApp, TEST_METRICS_TOKEN, TestApp } from '../support/test-app';
import { appToken, bearer, JWT_ENV, opsToken, token, unsignedToken } from './tokens';

/**
 * The ops endpoints behind the ops role: `/health/integrations/:client` (ops, or a caller of that
 * client — the rule of GraphQL `flowHealth`) and `/metrics` (ops, or the Prometheus scrape token).
 * The probes stay open and say nothing about clients. Refusals are coded, counted and audited.
 */
let t: TestApp;
let acmeKey: string;
let banbanFlowKey: string;
beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
  await t.db.query(`insert into clients (id, name) values ('acme', 'Acme Retail')`);
  acmeKey = (await t.services.apiKeys.issue({ clientId: 'acme', name: 'acme-key' })).key;
  banbanFlowKey = (await t.services.apiKeys.issue({ clientId: 'banban', flow: 'sales', name: 'sales-only' })).key;
});
afterAll(() => t.close());

type Headers = Record<string, string>;
interface Caller {
  name: string;
  headers: () => Promise<Headers>;
}

const CALLERS = {
  nobody: { name: 'no credentials', headers: async () => ({}) },
  garbage: { name: 'a malformed Authorization header', headers: async () => ({ authorization: 'Basic b3BzOm9wcw==' }) },
  expired: {
    name: 'an expired ops JWT',
    headers: async () => bearer(await token({ role: 'ops', expiresIn: Math.floor(Date.now() / 1000) - 60 })),
  },
  wrongIssuer: {
    name: 'an ops JWT of another issuer',
    headers: async () => bearer(await token({ role: 'ops', issuer: 'https://evil.example/auth/v1' })),
  },
  wrongAudience: {
    name: 'an ops JWT for another audience',
    headers: async () => bearer(await token({ role: 'ops', audience: 'someone-else' })),
  },
  wrongSecret: {
    name: 'an ops JWT signed with another secret',
    headers: async () => bearer(await token({ role: 'ops', secret: 'another-secret-of-at-least-32-characters!' })),
  },
  algNone: {
    name: 'an alg:none ops token',
    headers: async () => bearer(unsignedToken({ hub_role: 'ops', sub: 'mallory' })),
  },
  wrongKey: { name: 'an unknown API key', headers: async () => ({ 'x-api-key': 'not-a-key-of-anyone-0000000000' }) },
  scrapeToken: { name: 'the metrics scrape token', headers: async () => bearer(TEST_METRICS_TOKEN) },
  wrongScrapeToken: { name: 'a wrong scrape token', headers: async () => bearer(`${TEST_METRICS_TOKEN}x`) },
  appBanban: { name: "banban's app JWT", headers: async () => bearer(await appToken('banban')) },
  keyBanban: { name: "banban's API key", headers: async () => ({ 'x-api-key': t.apiKey }) },
  flowKeyBanban: { name: "banban's sales-flow API key", headers: async () => ({ 'x-api-key': banbanFlowKey }) },
  appAcme: { name: "acme's app JWT", headers: async () => bearer(await appToken('acme')) },
  keyAcme: { name: "acme's API key", headers: async () => ({ 'x-api-key': acmeKey }) },
  opsNoClient: { name: 'an ops JWT naming no client', headers: async () => bearer(await opsToken()) },
  opsAcme: { name: 'an ops JWT of acme', headers: async () => bearer(await opsToken('ops-acme', 'acme')) },
} satisfies Record<string, Caller>;
type Who = keyof typeof CALLERS;

/** Expected answer per caller: a status and, for refusals, the code. */
const HEALTH: Record<Who, [number, string?]> = {
  nobody: [401, 'GW_UNAUTHENTICATED'],
  garbage: [401, 'GW_UNAUTHENTICATED'],
  expired: [401, 'GW_UNAUTHENTICATED'],
  wrongIssuer: [401, 'GW_UNAUTHENTICATED'],
  wrongAudience: [401, 'GW_UNAUTHENTICATED'],
  wrongSecret: [401, 'GW_UNAUTHENTICATED'],
  algNone: [401, 'GW_UNAUTHENTICATED'],
  wrongKey: [401, 'GW_UNAUTHENTICATED'],
  scrapeToken: [401, 'GW_UNAUTHENTICATED'], // the scrape token opens /metrics only
  wrongScrapeToken: [401, 'GW_UNAUTHENTICATED'],
  appAcme: [403, 'GW_FORBIDDEN'],
  keyAcme: [403, 'GW_FORBIDDEN'],
  appBanban: [200],
  keyBanban: [200],
  flowKeyBanban: [403, 'GW_FORBIDDEN'], // a flow-scoped key reaches its flow's entities only, not the client's health
  opsNoClient: [200],
  opsAcme: [200],
};

const METRICS: Record<Who, [number, string?]> = {
  ...HEALTH,
  scrapeToken: [200],
  appBanban: [403, 'GW_FORBIDDEN'],
  keyBanban: [403, 'GW_FORBIDDEN'],
  flowKeyBanban: [403, 'GW_FORBIDDEN'],
};

async function refusalsCounted(route: string, reason: string): Promise<number> {
  const { body } = await scrapeMetrics(t);
  const escaped = route.replace(/[/:]/g, (c) => `\\${c}`);
  const line = new RegExp(`^axon_ops_access_refusals_total\\{route="${escaped}",reason="${reason}"\\} (\\d+)$`, 'm');
  return Number(line.exec(body)?.[1] ?? 0);
}

async function auditedRefusals(action: string, outcome: string): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `select count(*)::int as n from audit_log where source = 'rest' and action = $1 and outcome = $2`,
    [action, outcome],
  );
  return rows[0].n;
}

/** GraphQL `flowHealth(client: "banban")` with exactly these credentials. */
async function flowHealth(headers: Headers) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query: '{ flowHealth(client: "banban") { client status } }' }),
  });
  return {
    status: res.statusCode,
    body: res.json() as { data?: any; errors?: Array<{ extensions?: { code?: string } }> },
  };
}

describe('GET /health/integrations/:client', () => {
  it.each(Object.entries(HEALTH).map(([who, expected]) => [CALLERS[who as Who].name, who as Who, expected] as const))(
    '%s (%s) → %j',
    async (_name, who, [status, code]) => {
      const route = '/health/integrations/:client';
      const [counted, audited] = code
        ? await Promise.all([refusalsCounted(route, code), auditedRefusals(`GET ${route}`, `refused:${code}`)])
        : [0, 0];
      const res = await integrationHealth(t, 'banban', await CALLERS[who].headers());
      expect(res.status).toBe(status);
      if (!code) {
        expect(res.body).toMatchObject({ client: 'banban', status: 'ok', flows: { sales: { status: 'ok' } } });
        return;
      }
      expect(res.body).toEqual({ ok: false, error: { code, message: expect.any(String) } }); // nothing of banban's
      expect(JSON.stringify(res.body)).not.toMatch(/sales|circuit|queue_size/);
      expect(await refusalsCounted(route, code)).toBe(counted + 1);
      expect(await auditedRefusals(`GET ${route}`, `refused:${code}`)).toBe(audited + 1);
    },
  );

  it('a 401 says how to authenticate (WWW-Authenticate: Bearer)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/integrations/banban' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="axon"');
  });

  it('REST and GraphQL flowHealth authorize exactly the same callers', async () => {
    const verdicts: Array<[Who, number, string | null]> = [];
    for (const who of Object.keys(HEALTH) as Who[]) {
      const headers = await CALLERS[who].headers();
      const rest = await integrationHealth(t, 'banban', headers);
      const gql = await flowHealth(headers);
      const gqlCode = gql.body.errors?.[0]?.extensions?.code ?? null;
      const restCode = rest.status === 200 ? null : rest.body.error.code;
      verdicts.push([who, rest.status, restCode === gqlCode ? 'agree' : `REST ${restCode} / GraphQL ${gqlCode}`]);
      if (rest.status === 200) expect(gql.body.data?.flowHealth).toEqual({ client: 'banban', status: 'OK' });
    }
    expect(verdicts.filter(([, , v]) => v !== 'agree')).toEqual([]);
  });

  it('the refusal is in the audit trail, queryable by ops, with who and from where', async () => {
    await integrationHealth(t, 'banban', bearer(await appToken('acme', 'acme-snooper')));
    const res = await graphql(
      t,
      `
        {
          auditLog(filter: { action: "GET /health/integrations/:client", outcome: "refused" }, first: 5) {
            edges {
              node {
                actor
                role
                clientId
                target
                ip
                outcome
                source
              }
            }
          }
        }
      `,
      {},
      bearer(await opsToken()),
    );
    expect(res.body.data.auditLog.edges[0].node).toEqual({
      actor: 'jwt:acme-snooper',
      role: 'app',
      clientId: 'acme',
      target: 'banban',
      ip: '127.0.0.1',
      outcome: 'refused:GW_FORBIDDEN',
      source: 'rest',
    });
  });
});

describe('ops name any client in the GraphQL ops queries (as on REST)', () => {
  it(
    'flowHealth, integrationMetrics, circuitBreakers and etlRuns: ' +
      "ops of no client or of acme read banban; acme's app token is refused",
    async () => {
      const query = `{ flowHealth(client: "banban") { client } integrationMetrics(client: "banban") { flow }
      circuitBreakers(client: "banban") { client } etlRuns(client: "banban") { id } }`;
      for (const who of ['opsNoClient', 'opsAcme'] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', ...(await CALLERS[who].headers()) },
          payload: JSON.stringify({ query }),
        });
        const body = res.json();
        expect(body.errors).toBeUndefined();
        expect(body.data.flowHealth.client).toBe('banban');
        expect(body.data.circuitBreakers.filter((b: { client: string }) => b.client !== 'banban')).toEqual([]);
      }
      // one field per request: a refused non-null root field nulls the whole answer and hides the others' errors
      for (const field of [
        'flowHealth(client: "banban") { client }',
        'integrationMetrics(client: "banban") { flow }',
        'circuitBreakers(client: "banban") { client }',
        'etlRuns(client: "banban") { id }',
      ]) {
        const acme = await t.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', ...(await CALLERS.appAcme.headers()) },
          payload: JSON.stringify({ query: `{ ${field} }` }),
        });
        expect([field, acme.json().errors?.[0]?.extensions?.code, acme.json().data]).toEqual([
          field,
          'GW_FORBIDDEN',
          null,
        ]);
      }
    },
  );
});

describe('GET /metrics', () => {
  it.each(Object.entries(METRICS).map(([who, expected]) => [CALLERS[who as Who].name, who as Who, expected] as const))(
    '%s (%s) → %j',
    async (_name, who, [status, code]) => {
      const [counted, audited] = code
        ? await Promise.all([refusalsCounted('/metrics', code), auditedRefusals('GET /metrics', `refused:${code}`)])
        : [0, 0];
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: await CALLERS[who].headers() });
      expect(res.statusCode).toBe(status);
      if (!code) {
        expect(res.headers['content-type']).toContain('text/plain');
        expect(res.body).toContain('axon_webhook_events_total');
        expect(res.body).toContain('axon_webhook_verification_failures_total'); // the security counters are served too
        return;
      }
      expect(res.json()).toEqual({ ok: false, error: { code, message: expect.any(String) } });
      expect(res.body).not.toContain('axon_');
      expect(await refusalsCounted('/metrics', code)).toBe(counted + 1);
      expect(await auditedRefusals('GET /metrics', `refused:${code}`)).toBe(audited + 1);
    },
  );

  it('without METRICS_TOKEN configured, no bearer string opens it but an ops JWT', async () => {
    const bare = await startTestApp({ ...JWT_ENV, METRICS_TOKEN: undefined });
    try {
      expect(bare.config.security.metricsToken).toBeUndefined();
      expect((await scrapeMetrics(bare)).status).toBe(401);
      expect((await scrapeMetrics(bare, '')).status).toBe(401);
      const ops = await bare.app.inject({ method: 'GET', url: '/metrics', headers: bearer(await opsToken()) });
      expect(ops.statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('probes', () => {
  it.each(['/health/live', '/health/ready'])('%s needs no credentials and says nothing about clients', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(url.endsWith('live') ? ['status'] : ['status', 'store']);
    expect(res.body).not.toMatch(/banban|acme|flows|circuit/);
  });
});
