import { parse, validate } from 'graphql';
import { loadConfig } from '../../src/config';
import { graphqlProtection } from '../../src/schema/armor';
import { buildGatewaySchema } from '../../src/schema/build-schema';
import { Feed, listen, liveClient, untilLive, webhookProbe } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { appToken, bearer, JWT_ENV, opsToken } from './tokens';

/** graphql-armor's limits over HTTP, and introspection / Sandbox / suggestions by environment and role. */
let dev: TestApp;
let prod: TestApp;
beforeAll(async () => {
  [dev, prod] = await Promise.all([startTestApp(JWT_ENV), startTestApp({ ...JWT_ENV, NODE_ENV: 'production' })]);
});
afterAll(() => Promise.all([dev.close(), prod.close()]));

async function gql(t: TestApp, query: string, headers: Record<string, string>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query }),
  });
  return {
    status: res.statusCode,
    body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> },
  };
}

const nest = (depth: number): string =>
  depth === 0 ? 'id' : `customer { sales { edges { node { ${nest(depth - 1)} } } } }`;
const costlySales = (i: number) => `s${i}: sales(first: 200) {
  edges { node { items { product { sku description } } payments { sale { items { sku } } } } } }`;
const BOMBS: Array<[string, string]> = [
  ['depth bomb', `{ sale(id: "x") { ${nest(4)} } }`],
  ['alias bomb', `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: sale(id: "x") { id }`).join(' ')} }`],
  ['cost bomb', `{ ${Array.from({ length: 12 }, (_, i) => costlySales(i)).join(' ')} }`],
  ['directive bomb', `{ sale(id: "x") { id ${'@include(if: true) '.repeat(60)} } }`],
  ['token bomb', `{ sale(id: "x") { ${'id '.repeat(5000)} } }`],
];
/** The token limit stops the parser; the others are validation rules that name the limit they enforce. */
const codeOf = (bomb: string) => (bomb === 'token bomb' ? 'GRAPHQL_PARSE_FAILED' : 'GW_QUERY_LIMIT_EXCEEDED');
const SETTINGS: Record<string, string> = {
  'depth bomb': 'GRAPHQL_MAX_DEPTH',
  'alias bomb': 'GRAPHQL_MAX_ALIASES',
  'cost bomb': 'GRAPHQL_MAX_COST',
  'directive bomb': 'GRAPHQL_MAX_DIRECTIVES',
};

describe('query limits (graphql-armor) over HTTP', () => {
  it.each(BOMBS)('%s is refused before anything runs, naming the limit', async (name, query) => {
    const before = dev.db.queryCount;
    const res = await gql(dev, query, bearer(await appToken('banban')));
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toBe(codeOf(name));
    if (SETTINGS[name])
      expect(res.body.errors?.[0]?.message).toMatch(
        new RegExp(`^\\w+ \\w+ \\d+ exceeds the limit of \\d+ \\(${SETTINGS[name]}\\)$`),
      );
    expect(dev.db.queryCount - before).toBeLessThanOrEqual(1); // at most the API-key lookup, no resolver ran
  });

  it('an ordinary query passes', async () => {
    const res = await gql(
      dev,
      '{ sales(first: 10) { edges { node { id items { sku product { sku } } customer { id } } } } }',
      bearer(await appToken('banban')),
    );
    expect(res.body.errors).toBeUndefined();
  });

  it('the same rules are exported for the WebSocket path (validationRules + token-limited parse)', () => {
    const protection = graphqlProtection(loadConfig({ NODE_ENV: 'test' }));
    const schema = buildGatewaySchema();
    for (const [name, query] of BOMBS) {
      if (name === 'token bomb') {
        expect(() => protection.parse(query)).toThrow();
        continue;
      }
      expect(validate(schema, parse(query), protection.validationRules).length).toBeGreaterThan(0);
    }
    expect(validate(schema, protection.parse('{ sale(id: "x") { id } }'), protection.validationRules)).toEqual([]);
    const [typo] = validate(schema, parse('{ sael(id: "x") { id } }'));
    expect(protection.maskSuggestions(typo.message)).toMatch(/Did you mean/);
    const production = graphqlProtection(loadConfig({ NODE_ENV: 'production' }));
    expect(production.maskSuggestions(typo.message)).toBe('Cannot query field "sael" on type "Query".');
  });
});

/**
 * Subscription-shaped bombs (the WebSocket path serves subscriptions), each with a twin within the
 * limits that is accepted.
 */
const fragments = (levels: number) => {
  const defs = ['fragment F0 on WebhookProcessedEvent { id client flow action outcome httpStatus durationMs at }'];
  for (let i = 1; i <= levels; i++)
    defs.push(`fragment F${i} on WebhookProcessedEvent { ...F${i - 1} ...F${i - 1} ...F${i - 1} }`);
  return `subscription { webhookProcessed(client: "banban") { ...F${levels} } } ${defs.join(' ')}`;
};
const watch = (selection: string) => `subscription { webhookProcessed(client: "banban") { ${selection} } }`;
const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ');
const WS_BOMBS: Array<[string, string, string]> = [
  ['alias bomb', watch(aliases(40)), watch(aliases(10))],
  ['cost bomb', fragments(6), fragments(2)], // each level triples the fields: 3^6 × 8 scalars by armor's cost
  // one directive per inline fragment: repeating @include on one field would already break a spec
  // rule (UniqueDirectivesPerLocation)
  [
    'directive bomb',
    watch('... @include(if: true) { id } '.repeat(30)),
    watch('... @include(if: true) { id } '.repeat(5)),
  ],
  ['token bomb', watch('id '.repeat(5000)), watch('id '.repeat(100))],
];

describe('query limits (graphql-armor) over WebSocket (graphql-ws)', () => {
  let url: string;
  const clients: Array<ReturnType<typeof liveClient>> = [];
  beforeAll(async () => {
    url = await listen(dev.app);
  });
  afterAll(() => Promise.all(clients.map((c) => c.dispose())));

  async function client() {
    const c = liveClient(url, bearer(await appToken('banban')));
    clients.push(c);
    return c;
  }

  /** Subscribes and waits for the refusal: graphql-ws's error message carries the GraphQL errors. */
  async function refused(query: string): Promise<{ codes: unknown[]; results: unknown[] }> {
    const feed = new Feed(await client(), query);
    const end = await feed.end();
    webhookProbe(dev.services.events)('after-refusal'); // a refused subscription must not be running
    await new Promise((r) => setTimeout(r, 100));
    const errors = Array.isArray(end.failure) ? (end.failure as Array<{ extensions?: { code?: string } }>) : [];
    return { codes: errors.map((e) => e.extensions?.code), results: feed.results };
  }

  it.each(WS_BOMBS)('%s is refused over WebSocket; its twin within the limits is served', async (name, bomb, twin) => {
    const { codes, results } = await refused(bomb);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toBe(codeOf(name));
    expect(results).toEqual([]); // zero accepted

    const feed = new Feed(await client(), twin);
    try {
      await untilLive(feed, webhookProbe(dev.services.events), 'webhookProcessed');
    } finally {
      feed.close();
    }
  });

  it(
    'non-text strings are refused over WebSocket too: ' +
      'in variables (GW_INVALID_ENCODING) and in literals (validation)',
    async () => {
      const query = 'subscription($c: String!) { webhookProcessed(client: $c) { id } }';
      for (const c of ['ban\u0000ban', 'ban\ud800ban']) {
        const end = await new Feed(await client(), query, { c }).end();
        expect((end.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe(
          'GW_INVALID_ENCODING',
        );
      }
      const literal = await new Feed(
        await client(),
        'subscription { webhookProcessed(client: "ban\\u0000ban") { id } }',
      ).end();
      expect((literal.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
    },
  );

  it('production: no field suggestions over WebSocket either', async () => {
    const c = liveClient(await listen(prod.app), bearer(await appToken('banban')));
    clients.push(c);
    const end = await new Feed(c, 'subscription { webhookProcessed(client: "banban") { idd } }').end();
    const [error] = end.failure as Array<{ message: string; extensions?: { code?: string } }>;
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toBe('Cannot query field "idd" on type "WebhookProcessedEvent".');
    const devEnd = await new Feed(await client(), 'subscription { webhookProcessed(client: "banban") { idd } }').end();
    expect((devEnd.failure as Array<{ message: string }>)[0].message).toMatch(/Did you mean "id"/);
  });

  it.each(BOMBS)(
    'the HTTP %s sent over WebSocket is refused by the limits too (not merely as a non-subscription)',
    async (name, query) => {
      const { codes, results } = await refused(query);
      // The directive bomb repeats one directive on a field, which a spec rule refuses as well.
      expect(codes).toContain(codeOf(name));
      for (const code of codes) expect([codeOf(name), 'GRAPHQL_VALIDATION_FAILED']).toContain(code);
      expect(results).toEqual([]);
    },
  );
});

const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('introspection, Sandbox and suggestions', () => {
  it('development: introspection for anyone, field suggestions on', async () => {
    expect((await gql(dev, INTROSPECTION, {})).body.data.__schema.queryType.name).toBe('Query');
    const typo = await gql(dev, '{ sael(id: "x") { id } }', bearer(await appToken('banban')));
    expect(typo.body.errors?.[0]?.message).toMatch(/Did you mean/);
  });

  it('production: introspection only for ops', async () => {
    const callers: Array<Record<string, string>> = [{}, bearer(await appToken('banban')), { 'x-api-key': prod.apiKey }];
    for (const headers of callers) {
      const res = await gql(prod, INTROSPECTION, headers);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
      expect(res.body.data?.__schema).toBeUndefined();
    }
    const typeQuery = await gql(prod, '{ __type(name: "Sale") { fields { name } } }', bearer(await appToken('banban')));
    expect(typeQuery.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
    expect((await gql(prod, INTROSPECTION, bearer(await opsToken()))).body.data.__schema.queryType.name).toBe('Query');
  });

  it('production: no field suggestions', async () => {
    const typo = await gql(prod, '{ sael(id: "x") { id } }', bearer(await appToken('banban')));
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean|sale/);
  });

  it('production: the Sandbox page only for ops; development for anyone', async () => {
    const page = (t: TestApp, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html', ...headers } });
    expect((await page(prod)).statusCode).toBe(404);
    expect((await page(prod, bearer(await appToken('banban')))).statusCode).toBe(404);
    const ops = await page(prod, bearer(await opsToken()));
    expect([ops.statusCode, ops.headers['content-type']]).toEqual([200, expect.stringContaining('text/html')]);
    expect((await page(dev)).statusCode).toBe(200);
  });
});
