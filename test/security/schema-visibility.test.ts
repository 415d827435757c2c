import { graphql } from '../support/http';
import { Feed, listen, liveClient } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { appToken, bearer, JWT_ENV, opsToken } from './tokens';

/**
 * The schema is for ops (and a gateway presenting an ops credential) in production: introspection,
 * `_service { sdl }` and graphql-js's suggestions ("Did you mean …?", enum values included) alike,
 * over HTTP and graphql-ws. In development everyone sees it.
 */
let prod: TestApp;
let dev: TestApp;
let flowKey: string;
beforeAll(async () => {
  prod = await startTestApp({ ...JWT_ENV, NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' });
  dev = await startTestApp(JWT_ENV);
  flowKey = (await prod.services.apiKeys.issue({ clientId: 'banban', flow: 'sales', name: 'sales-only' })).key;
});
afterAll(() => Promise.all([prod?.close(), dev?.close()]));

type Headers = Record<string, string>;
const NOT_OPS: Array<[string, () => Promise<Headers>]> = [
  ['anonymous', async () => ({})],
  ["banban's app JWT", async () => bearer(await appToken('banban'))],
  ["banban's API key", async () => ({ 'x-api-key': prod.apiKey })],
  ["banban's sales-flow key", async () => ({ 'x-api-key': flowKey })],
];
/** No credentials at all (graphql() sends the app's key unless told otherwise). */
const anonymous = async (t: TestApp, query: string, variables: Record<string, unknown> = {}) => {
  const headers = { 'content-type': 'application/json' };
  const payload = JSON.stringify({ query, variables });
  const res = await t.app.inject({ method: 'POST', url: '/graphql', headers, payload });
  type Body = { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: res.statusCode, body: res.json() as Body };
};
const ask = (t: TestApp, who: string, headers: Headers, query: string, variables: Record<string, unknown> = {}) =>
  who === 'anonymous' ? anonymous(t, query, variables) : graphql(t, query, variables, headers);

const SDL = '{ _service { sdl } }';
const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('production: the schema for ops only', () => {
  const SCHEMA_QUERIES = [
    SDL,
    INTROSPECTION,
    '{ __type(name: "Sale") { name } }',
    'query Q { ...S } fragment S on Query { _service { sdl } }',
  ];
  it.each(NOT_OPS)('%s: _service { sdl } and introspection are refused (403), no schema', async (who, h) => {
    for (const query of SCHEMA_QUERIES) {
      const res = await ask(prod, who, await h(), query);
      const verdict = { query, status: res.status, code: res.body.errors?.[0]?.extensions?.code };
      expect(verdict).toEqual({ query, status: 403, code: 'GW_FORBIDDEN' });
      expect(JSON.stringify(res.body)).not.toMatch(/type Sale|queryType/);
    }
  });

  it('ops (the credential a composing gateway presents) gets the SDL and introspection', async () => {
    const ops = bearer(await opsToken());
    const sdl = await graphql(prod, SDL, {}, ops);
    expect(sdl.body.data._service.sdl).toMatch(/type Sale\s+@key\(fields: "id"\)/);
    expect((await graphql(prod, INTROSPECTION, {}, ops)).body.data.__schema.queryType.name).toBe('Query');
  });

  it('development: anyone gets the SDL', async () => {
    expect((await anonymous(dev, SDL)).body.data._service.sdl).toContain('type Sale');
  });
});

/** Misspellings graphql-js answers with a suggestion: a field, an argument, an enum value (literal and variable). */
const ENUM_SUGGESTION = /Did you mean the enum value "SHIPPED"/;
const TYPOS: Array<[string, string, Record<string, unknown>, RegExp]> = [
  ['field', '{ sael(id: "x") { id } }', {}, /Did you mean "sale"/],
  ['argument', '{ transfers(statu: SHIPPED) { edges { node { id } } } }', {}, /Did you mean "status"/],
  ['enum value (literal)', '{ transfers(status: SHIPED) { edges { node { id } } } }', {}, ENUM_SUGGESTION],
  [
    'enum value (variable)',
    'query($s: TransferStatus) { transfers(status: $s) { edges { node { id } } } }',
    { s: 'SHIPED' },
    ENUM_SUGGESTION,
  ],
];

describe('suggestions ("Did you mean …?")', () => {
  it.each(TYPOS)('production, not ops: no %s suggestion, for any caller', async (_kind, query, variables) => {
    for (const [who, headers] of NOT_OPS) {
      const res = await ask(prod, who, await headers(), query, variables);
      const messages = (res.body.errors ?? []).map((e) => e.message);
      const leaks = messages.filter((m) => /Did you mean|SHIPPED|"sale"|"status"/.test(m));
      expect({ who, answered: messages.length > 0, leaks }).toEqual({ who, answered: true, leaks: [] });
    }
  });

  it.each(TYPOS)('production, ops: the %s suggestion stays; development: anyone', async (_kind, query, vars, hint) => {
    const ops = await graphql(prod, query, vars, bearer(await opsToken()));
    expect(ops.body.errors?.[0]?.message).toMatch(hint);
    const anyone = await graphql(dev, query, vars, bearer(await appToken('banban')));
    expect(anyone.body.errors?.[0]?.message).toMatch(hint);
  });

  it('graphql-ws: the same rule (a real graphql-ws client)', async () => {
    const query = 'subscription { webhookProcessed(client: "banban", flw: "sales") { id } }';
    const firstMessage = async (headers: Headers) => {
      const client = liveClient(await listen(prod.app), headers);
      try {
        const end = await new Feed(client, query).end();
        return (end.failure as Array<{ message: string }>)[0].message;
      } finally {
        await client.dispose();
      }
    };
    const app = await firstMessage(bearer(await appToken('banban')));
    expect(app).toBe('Unknown argument "flw" on field "Subscription.webhookProcessed".');
    expect(await firstMessage(bearer(await opsToken()))).toMatch(/Did you mean "flow"/);
  });
});
