import { FlowDefinition } from '../../src/webhooks/flow-definition';
import { FLOWS } from '../../src/webhooks/flows';
import { webhookEventRepository } from '../../src/webhooks/webhook-event.repository';
import { fixture } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { Feed, listen, liveClient } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { bearer, JWT_ENV, opsToken } from './tokens';

/**
 * Bad input is a 4xx with a code, never a 5xx: action names that are Object.prototype members,
 * JSON nested thousands of levels (webhooks, /graphql variables over POST, GET and WebSocket),
 * fact date-times outside the configured bounds, and GraphQL documents over a query limit.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
});
afterAll(() => t.close());

const FLOW_LIST = Object.values(FLOWS) as FlowDefinition[];
const PROTOTYPE_KEYS = [
  'toString',
  'constructor',
  '__proto__',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
];

/** `levels` nested objects around `inner`, as text (JSON.stringify itself would overflow). */
const nested = (levels: number, inner = '1') => '{"a":'.repeat(levels) + inner + '}'.repeat(levels);

const BUSINESS_TABLES = [
  'sales',
  'payments',
  'returns',
  'refunds',
  'inventory_movements',
  'inventory_adjustments',
  'inventory_snapshots',
  'purchase_orders',
  'purchase_documents',
  'transfer_events',
];

async function businessRows(): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `select ${BUSINESS_TABLES.map((table) => `(select count(*) from ${table})`).join(' + ')} as n`,
  );
  return Number(rows[0].n);
}

describe('actions are looked up as own properties', () => {
  it.each(PROTOTYPE_KEYS)(
    '"%s" is an unknown action on every flow: 400 GW_UNKNOWN_ACTION, recorded as rejected',
    async (action) => {
      for (const flow of FLOW_LIST) {
        const res = await postWebhook(t, flow.path, `{"action":${JSON.stringify(action)},"data":{}}`);
        expect([flow.path, res.status, res.body.error.code]).toEqual([flow.path, 400, 'GW_UNKNOWN_ACTION']);
        expect(res.body.error.details.allowed).toEqual(Object.keys(flow.actions));
        const row = await webhookEventRepository.find(t.db, 'banban', res.body.eventId);
        // `rejected` (the sender's fault), not `failed`: the flow's error rate and health are not raised.
        expect([row?.status, row?.httpStatus]).toEqual(['rejected', 400]);
      }
    },
  );

  it('a client id that is an Object.prototype member is an unknown client (404), not a crash', async () => {
    const ops = bearer(await opsToken());
    for (const client of ['constructor', 'toString', '__proto__']) {
      const res = await t.app.inject({ method: 'GET', url: `/health/integrations/${client}`, headers: ops });
      expect([client, res.statusCode, res.json().error?.code]).toEqual([client, 404, 'GW_NOT_FOUND']);
    }
  });
});

describe('JSON nesting is bounded right after parsing (JSON_MAX_DEPTH, 64 by default)', () => {
  it('a webhook body nested 5,000 levels inside data: 400 GW_PAYLOAD_TOO_DEEP, nothing recorded', async () => {
    const before = await businessRows();
    for (const levels of [63, 5_000, 100_000]) {
      // 63 objects inside data: 65 levels with the envelope and data
      const res = await postWebhook(t, 'sales-flow', `{"action":"register_sale","data":{"x":${nested(levels)}}}`);
      expect([levels, res.status, res.body.error.code]).toEqual([levels, 400, 'GW_PAYLOAD_TOO_DEEP']);
      expect(res.body.eventId).toBeUndefined();
    }
    // `[` nests as deep as `{`.
    const arrays = await postWebhook(
      t,
      'sales-flow',
      `{"action":"register_sale","data":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
    );
    expect([arrays.status, arrays.body.error.code]).toEqual([400, 'GW_PAYLOAD_TOO_DEEP']);
    expect(await businessRows()).toBe(before);
  });

  it('nesting within the limit reaches the contract, which refuses the unknown field with its path', async () => {
    // 64 levels in all
    const res = await postWebhook(t, 'sales-flow', `{"action":"register_sale","data":{"x":${nested(62)}}}`);
    expect([res.status, res.body.error.code]).toEqual([400, 'GW_VALIDATION_FAILED']);
  });

  it('/graphql variables nested 5,000 levels: 400 GW_PAYLOAD_TOO_DEEP over POST, GET and WebSocket', async () => {
    const query = 'query($id: ID!) { sale(id: $id) { id } }';
    const post = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      payload: `{"query":${JSON.stringify(query)},"variables":{"id":${nested(5000)}}}`,
    });
    expect([post.statusCode, post.json().error.code]).toEqual([400, 'GW_PAYLOAD_TOO_DEEP']);

    const params = new URLSearchParams({ query, variables: `{"id":${nested(5000)}}` });
    const get = await t.app.inject({
      method: 'GET',
      url: `/graphql?${params}`,
      headers: { 'x-api-key': t.apiKey, 'apollo-require-preflight': 'true' },
    });
    expect([get.statusCode, get.json().error.code]).toEqual([400, 'GW_PAYLOAD_TOO_DEEP']);

    const client = liveClient(await listen(t.app), { 'x-api-key': t.apiKey });
    try {
      const deep = JSON.parse(nested(100)) as Record<string, unknown>;
      const end = await new Feed(client, 'subscription($c: String!) { webhookProcessed(client: $c) { id } }', {
        c: deep,
      }).end();
      expect((end.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe(
        'GW_PAYLOAD_TOO_DEEP',
      );
    } finally {
      await client.dispose();
    }
  });
});

/** Every date-time of a fixture's data, by field path (`sold_at`, `nfe.issued_at`, `items.0.x_at`…). */
function dateTimePaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? [prefix] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => dateTimePaths(v, [...prefix, k]));
}

function withValueAt(data: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const copy = structuredClone(data);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path[path.length - 1]] = value;
  return copy;
}

const DATE_TIME_FIELDS = FLOW_LIST.flatMap((flow) =>
  Object.keys(flow.actions).flatMap((action) => {
    let data: Record<string, unknown>;
    try {
      data = fixture(flow.path, action).data;
    } catch {
      return [];
    }
    return dateTimePaths(data).map((path) => ({ flow: flow.path, action, data, path }));
  }),
);

describe('fact date-times are bounded (FACT_MIN_DATE, FACT_MAX_FUTURE_SKEW_SECONDS)', () => {
  it('the contracts have date-time fields in every flow that records facts', () => {
    const fields = DATE_TIME_FIELDS.map((f) => `${f.flow}/${f.action}:${f.path.join('.')}`);
    for (const field of [
      'sales-flow/register_sale:sold_at',
      'sales-flow/register_payment:paid_at',
      'inventory-flow/adjust_stock:adjusted_at',
    ]) {
      expect(fields).toContain(field);
    }
    expect(DATE_TIME_FIELDS.length).toBeGreaterThanOrEqual(12);
  });

  const OUT_OF_RANGE = [
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1999-12-31T23:59:59-00:00',
    '9999-12-31T23:59:59Z',
  ];

  it(
    'year 0000, 1969, 1999 and 9999 are refused at every ' +
      'date-time field: 400 with the field path, nothing written',
    async () => {
      const before = await businessRows();
      for (const { flow, action, data, path } of DATE_TIME_FIELDS) {
        for (const at of OUT_OF_RANGE) {
          const res = await postWebhook(t, flow, { action, data: withValueAt(data, path, at) });
          const issue = res.body.error?.issues?.find((i: { path: string }) => i.path === ['data', ...path].join('.'));
          expect([flow, action, path.join('.'), at, res.status, res.body.error?.code, issue?.code]).toEqual([
            flow,
            action,
            path.join('.'),
            at,
            400,
            'GW_VALIDATION_FAILED',
            at.startsWith('9999') ? 'too_big' : 'too_small',
          ]);
        }
      }
      expect(await businessRows()).toBe(before);
    },
  );

  it('a fact from the future is refused beyond the skew and accepted within it', async () => {
    const base = fixture('sales-flow', 'register_sale');
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    const later = await postWebhook(t, 'sales-flow', {
      ...base,
      data: { ...base.data, sale_id: 'HI-FUTURE-1', sold_at: at(600) },
    });
    expect([later.status, later.body.error.issues]).toEqual([
      400,
      [expect.objectContaining({ path: 'data.sold_at', code: 'too_big' })],
    ]);
    expect(later.body.error.issues[0].message).toMatch(/FACT_MAX_FUTURE_SKEW_SECONDS/);
    const skewed = await postWebhook(t, 'sales-flow', {
      ...base,
      data: { ...base.data, sale_id: 'HI-FUTURE-2', sold_at: at(120) },
    });
    expect(skewed.status).toBe(200);
    const early = await postWebhook(t, 'sales-flow', {
      ...base,
      data: { ...base.data, sale_id: 'HI-EARLY', sold_at: '2000-01-01T00:00:00Z' },
    });
    expect(early.status).toBe(200);
  });

  it('the bounds come from the configuration of the gateway that parses', async () => {
    const wide = await startTestApp({ FACT_MIN_DATE: '1990-01-01', FACT_MAX_FUTURE_SKEW_SECONDS: '0' });
    try {
      const base = fixture('sales-flow', 'register_sale');
      const old = await postWebhook(wide, 'sales-flow', {
        ...base,
        data: { ...base.data, sale_id: 'HI-1995', sold_at: '1995-06-01T12:00:00Z' },
      });
      expect(old.status).toBe(200);
      const ahead = new Date(Date.now() + 60_000).toISOString();
      const future = await postWebhook(wide, 'sales-flow', {
        ...base,
        data: { ...base.data, sale_id: 'HI-AHEAD', sold_at: ahead },
      });
      expect([future.status, future.body.error.issues[0].path]).toEqual([400, 'data.sold_at']);
      // The other gateway of this process keeps its own bounds.
      const here = await postWebhook(t, 'sales-flow', {
        ...base,
        data: { ...base.data, sale_id: 'HI-1995', sold_at: '1995-06-01T12:00:00Z' },
      });
      expect([here.status, here.body.error.issues[0].message]).toEqual([
        400,
        'must not be before 2000-01-01 (FACT_MIN_DATE)',
      ]);
    } finally {
      await wide.close();
    }
  });
});

describe('GraphQL refusals name what was refused', () => {
  const nest = (depth: number): string =>
    depth === 0 ? 'id' : `customer { sales { edges { node { ${nest(depth - 1)} } } } }`;

  it('a depth bomb: 400 GW_QUERY_LIMIT_EXCEEDED naming GRAPHQL_MAX_DEPTH, its limit and the depth found', async () => {
    const res = await graphql(t, `{ sale(id: "x") { ${nest(4)} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        message: 'Query depth 18 exceeds the limit of 8 (GRAPHQL_MAX_DEPTH)',
        extensions: { code: 'GW_QUERY_LIMIT_EXCEEDED', details: { limit: 'GRAPHQL_MAX_DEPTH', max: 8, found: 18 } },
      },
    ]);
  });

  it('an alias bomb: 400 GW_QUERY_LIMIT_EXCEEDED naming GRAPHQL_MAX_ALIASES', async () => {
    const res = await graphql(
      t,
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: sale(id: "x") { id }`).join(' ')} }`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toEqual({
      message: 'Alias count 40 exceeds the limit of 15 (GRAPHQL_MAX_ALIASES)',
      extensions: { code: 'GW_QUERY_LIMIT_EXCEEDED', details: { limit: 'GRAPHQL_MAX_ALIASES', max: 15, found: 40 } },
    });
  });

  it('a subscription over HTTP POST: 400 GW_SUBSCRIPTION_OVER_HTTP pointing to graphql-ws on /graphql', async () => {
    const res = await graphql(t, 'subscription { webhookProcessed(client: "banban") { id } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_SUBSCRIPTION_OVER_HTTP');
    expect(res.body.errors?.[0]?.message).toMatch(/graphql-ws.*ws\(s\):\/\/<host>\/graphql/);
  });
});
