import { parse, validate } from 'graphql';
import { loadConfig } from '../../src/config';
import { graphqlProtection } from '../../src/schema/armor';
import { buildGatewaySchema } from '../../src/schema/build-schema';
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
  const res = await t.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ query }) });
  return { status: res.statusCode, body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

const nest = (depth: number): string => (depth === 0 ? 'id' : `customer { sales { edges { node { ${nest(depth - 1)} } } } }`);
const BOMBS: Array<[string, string]> = [
  ['depth bomb', `{ sale(id: "x") { ${nest(4)} } }`],
  ['alias bomb', `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: sale(id: "x") { id }`).join(' ')} }`],
  ['cost bomb', `{ ${Array.from({ length: 12 }, (_, i) => `s${i}: sales(first: 200) { edges { node { items { product { sku description } } payments { sale { items { sku } } } } } }`).join(' ')} }`],
  ['directive bomb', `{ sale(id: "x") { id ${'@include(if: true) '.repeat(60)} } }`],
  ['token bomb', `{ sale(id: "x") { ${'id '.repeat(5000)} } }`],
];

describe('query limits (graphql-armor) over HTTP', () => {
  it.each(BOMBS)('%s is refused before anything runs', async (_name, query) => {
    const before = dev.db.queryCount;
    const res = await gql(dev, query, bearer(await appToken('banban')));
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED|BAD_REQUEST/);
    expect(dev.db.queryCount - before).toBeLessThanOrEqual(1); // at most the API-key lookup, no resolver ran
  });

  it('an ordinary query passes', async () => {
    const res = await gql(dev, '{ sales(first: 10) { edges { node { id items { sku product { sku } } customer { id } } } } }', bearer(await appToken('banban')));
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
    const page = (t: TestApp, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html', ...headers } });
    expect((await page(prod)).statusCode).toBe(404);
    expect((await page(prod, bearer(await appToken('banban')))).statusCode).toBe(404);
    const ops = await page(prod, bearer(await opsToken()));
    expect([ops.statusCode, ops.headers['content-type']]).toEqual([200, expect.stringContaining('text/html')]);
    expect((await page(dev)).statusCode).toBe(200);
  });
});
