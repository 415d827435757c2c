import { composeServices } from '@apollo/composition';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { CATALOG, CATALOG_SDL, RunningSubgraph, startCatalogSubgraph } from './catalog-subgraph';
import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

type GatewayContext = { apiKey?: string };

/** Apollo's gateway forwards no client headers by itself: the hub's x-api-key is passed on here. */
class ApiKeyForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    if (context.apiKey) request.http?.headers.set('x-api-key', context.apiKey);
  }
}

let t: TestApp;
let hubUrl: string;
let catalog: RunningSubgraph;
let otherTenantKey: string;

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

beforeAll(async () => {
  t = await startTestApp();
  hubUrl = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  catalog = await startCatalogSubgraph();
  expect((await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).status).toBe(200);
  await t.db.query(`insert into clients (id, name, timezone, settings) values ('acme', 'Acme', 'UTC', '{}')`);
  otherTenantKey = (await t.services.apiKeys.issue({ clientId: 'acme', name: 'test' })).key;
});
afterAll(async () => {
  await catalog?.stop();
  await t?.close();
});

const ENTITIES_QUERY = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Sale { id total status }
    ... on Product { sku description }
    ... on Location { code kind }
    ... on Customer { id name }
  }
}`;

describe('the hub as a Federation v2 subgraph over HTTP', () => {
  it('publishes its SDL with @link to federation v2.7 and a @key on every entity', async () => {
    const res = await post(hubUrl, '{ _service { sdl } }');
    const sdl: string = res.data._service.sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toMatch(/type Sale\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Customer\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Product\s+@key\(fields: "sku"\)/);
    expect(sdl).toMatch(/type Location\s+@key\(fields: "code"\)/);
  });

  it("resolves entity references of the caller's client through the loaders", async () => {
    const res = await post(
      hubUrl,
      ENTITIES_QUERY,
      {
        representations: [
          { __typename: 'Sale', id: 'V-2026-000123' },
          { __typename: 'Product', sku: 'TENIS-RUN-38-PRETO' },
          { __typename: 'Product', sku: 'MEIA-ESP-UN' },
          { __typename: 'Location', code: 'LJ-001' },
          { __typename: 'Customer', id: 'C-000077' },
          { __typename: 'Sale', id: 'NO-SUCH-SALE' },
        ],
      },
      { 'x-api-key': t.apiKey },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { __typename: 'Sale', id: 'V-2026-000123', total: '309.70', status: 'OPEN' },
      { __typename: 'Product', sku: 'TENIS-RUN-38-PRETO', description: 'Tênis Run 38 Preto' },
      { __typename: 'Product', sku: 'MEIA-ESP-UN', description: 'Meia Esportiva' },
      { __typename: 'Location', code: 'LJ-001', kind: 'STORE' },
      { __typename: 'Customer', id: 'C-000077', name: 'Maria Souza' },
      null,
    ]);
  });

  it('batches references through the DataLoaders: one query per entity type', async () => {
    const spy = jest.spyOn(t.db, 'query');
    try {
      const representations = ['TENIS-RUN-38-PRETO', 'MEIA-ESP-UN', 'NOT-A-SKU'].map((sku) => ({
        __typename: 'Product',
        sku,
      }));
      const res = await post(hubUrl, ENTITIES_QUERY, { representations }, { 'x-api-key': t.apiKey });
      expect(res.data._entities.map((p: { sku: string } | null) => p?.sku ?? null)).toEqual([
        'TENIS-RUN-38-PRETO',
        'MEIA-ESP-UN',
        null,
      ]);
      expect(spy.mock.calls.filter(([sql]) => /from products/.test(sql))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps tenants apart: another client sees nothing, and no credentials is GW_UNAUTHENTICATED', async () => {
    const representations = [{ __typename: 'Sale', id: 'V-2026-000123' }];
    const other = await post(hubUrl, ENTITIES_QUERY, { representations }, { 'x-api-key': otherTenantKey });
    expect(other.errors).toBeUndefined();
    expect(other.data._entities).toEqual([null]);
    const anonymous = await post(hubUrl, ENTITIES_QUERY, { representations });
    expect(anonymous.data._entities).toEqual([null]);
    expect(anonymous.errors?.[0].extensions?.code).toBe('GW_UNAUTHENTICATED');
  });
});

describe('composition with a catalog subgraph', () => {
  it('composes without errors or hints', async () => {
    const hubSdl = (await post(hubUrl, '{ _service { sdl } }')).data._service.sdl;
    const result = composeServices([
      { name: 'hub', typeDefs: parse(hubSdl), url: hubUrl },
      { name: 'catalog', typeDefs: parse(CATALOG_SDL), url: catalog.url },
    ]);
    expect(result.errors).toBeUndefined();
    expect((result.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`)).toEqual([]);
    expect(result.supergraphSdl).toContain('join__type(graph: CATALOG, key: "sku")');
  });
});

describe('an Apollo gateway over the hub and the catalog, on real ports', () => {
  let gateway: ApolloServer<GatewayContext>;
  let gatewayUrl: string;

  beforeAll(async () => {
    gateway = new ApolloServer<GatewayContext>({
      gateway: new ApolloGateway({
        supergraphSdl: new IntrospectAndCompose({
          subgraphs: [
            { name: 'hub', url: hubUrl },
            { name: 'catalog', url: catalog.url },
          ],
        }),
        buildService: ({ url }) => new ApiKeyForwardingDataSource({ url }),
      }),
    });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({
        apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined,
      }),
    }));
  });
  afterAll(() => gateway?.stop());

  it("answers a sale with its items and the catalog's fields for each product", async () => {
    const res = await post(
      gatewayUrl,
      `{ sale(id: "V-2026-000123") {
         id total store { code } items { sku quantity lineTotal product { sku description brand rating } } } }`,
      {},
      { 'x-api-key': t.apiKey },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.sale).toEqual({
      id: 'V-2026-000123',
      total: '309.70',
      store: { code: 'LJ-001' },
      items: [
        {
          sku: 'TENIS-RUN-38-PRETO',
          quantity: 1,
          lineTotal: '269.90',
          product: { sku: 'TENIS-RUN-38-PRETO', description: 'Tênis Run 38 Preto', ...CATALOG['TENIS-RUN-38-PRETO'] },
        },
        {
          sku: 'MEIA-ESP-UN',
          quantity: 2,
          lineTotal: '39.80',
          product: { sku: 'MEIA-ESP-UN', description: 'Meia Esportiva', ...CATALOG['MEIA-ESP-UN'] },
        },
      ],
    });
  });

  it("crosses the other way: catalog products get their description from the hub, with the caller's key", async () => {
    const query = '{ featuredProducts { sku brand description } }';
    const res = await post(gatewayUrl, query, {}, { 'x-api-key': t.apiKey });
    expect(res.errors).toBeUndefined();
    expect(res.data.featuredProducts).toEqual([
      { sku: 'TENIS-RUN-38-PRETO', brand: 'Olympikus', description: 'Tênis Run 38 Preto' },
      { sku: 'MEIA-ESP-UN', brand: 'Lupo', description: 'Meia Esportiva' },
    ]);
    // Without the key the hub refuses its part (401 with GW_UNAUTHENTICATED); the catalog's part still answers.
    const anonymous = await post(gatewayUrl, query);
    expect(anonymous.data.featuredProducts.map((p: { description: string | null }) => p.description)).toEqual([
      null,
      null,
    ]);
    expect(anonymous.errors?.[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      response: {
        status: 401,
        body: { errors: [expect.objectContaining({ extensions: { code: 'GW_UNAUTHENTICATED' } }), expect.anything()] },
      },
    });
  });
});
