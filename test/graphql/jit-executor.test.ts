import type { FastifyInstance } from 'fastify';
import {
  execute,
  GraphQLError,
  GraphQLInt,
  GraphQLScalarType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  OperationDefinitionNode,
  parse,
} from 'graphql';
import { jitExecutor } from '../../src/schema/jit-executor';
import { buildApp } from '../../src/app';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Queries over HTTP run through graphql-jit (GRAPHQL_JIT, on by default). The same gateway with it off
 * runs graphql-js `execute`: on the same database, every document here must get the same response
 * body, byte for byte: data, partial data with errors (codes, messages, paths, locations), variables,
 * fragments, aliases, abstract types and the mutations and introspection that stay on graphql-js.
 */
let t: TestApp;
let reference: FastifyInstance;

beforeAll(async () => {
  t = await startTestApp();
  expect(t.config.graphqlJit).toBe(true);
  const { server } = await buildApp({ config: { ...t.config, graphqlJit: false }, db: t.db });
  reference = server;
  await reference.ready();
  for (let i = 0; i < 6; i++) {
    const saleId = `J-${i}`;
    await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_sale', {
        sale_id: saleId,
        customer: { customer_id: `JC-${i % 2}`, name: `Cliente ${i % 2}` },
      }),
    );
    if (i % 2 === 0)
      await postWebhook(
        t,
        'sales-flow',
        variant('sales-flow', 'register_payment', { sale_id: saleId, payment_id: `JP-${i}`, amount: '100.00' }),
      );
  }
});
afterAll(async () => {
  await reference?.close();
  await t?.close();
});

async function both(query: string, variables: Record<string, unknown> = {}) {
  const request = {
    method: 'POST' as const,
    url: '/graphql',
    headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
    payload: JSON.stringify({ query, variables }),
  };
  const [jit, js] = await Promise.all([t.app.inject(request), reference.inject(request)]);
  return { jit: { status: jit.statusCode, body: jit.body }, js: { status: js.statusCode, body: js.body } };
}

const CASES: Array<[string, string, Record<string, unknown>?]> = [
  [
    'a page with nested lists, loaders and variables',
    `query Page($first: Int, $filter: SalesFilterInput) { sales(first: $first, filter: $filter) {
      edges { cursor node { id soldAt total paidAmount status store { code kind } customer { id name }
        items { lineNo sku quantity unitPrice discount lineTotal product { sku description } }
        payments { id amount method paidAt } } }
      pageInfo { hasNextPage endCursor } } }`,
    { first: 4, filter: { storeCode: 'LJ-001' } },
  ],
  [
    'aliases, fragments and __typename',
    `{ a: sale(id: "J-0") { ...S } b: sale(id: "nope") { ...S } }
     fragment S on Sale { __typename id total items { __typename sku } }`,
  ],
  [
    'a resolver that refuses its arguments (coded error with path and issues, null bubbling)',
    `{ ok: sale(id: "J-1") { id } bad: sales(first: 1, after: "not-a-cursor") { edges { node { id } } } }`,
  ],
  ['an ops-only field for a client key (GW_FORBIDDEN at its path)', `{ sale(id: "J-2") { id status } rules { id } }`],
  [
    'abstract types through _entities',
    `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Sale { id total } ... on Product { sku }
     ... on Customer { id name } } }`,
    {
      r: [
        { __typename: 'Sale', id: 'J-3' },
        { __typename: 'Customer', id: 'JC-1' },
        { __typename: 'Product', sku: 'TENIS-RUN-38-PRETO' },
        { __typename: 'Sale', id: 'none' },
      ],
    },
  ],
  ['introspection (stays on graphql-js)', `{ __type(name: "SaleItem") { name fields { name } } }`],
  [
    'a mutation (stays on graphql-js)',
    `mutation { registerPayment(input: { paymentId: "JP-X", saleId: "nope", method: "pix", amount: "1.00",
     installments: 1, paidAt: "2026-11-28T10:00:00Z" }) { id } }`,
  ],
];

describe('graphql-jit answers exactly as graphql-js', () => {
  // One argument per row: with more parameters than a row has cells, jest would wait for a `done` callback.
  it.each(CASES.map(([name, query, variables]) => ({ name, query, variables })))(
    '$name',
    async ({ query, variables }) => {
      const { jit, js } = await both(query, variables);
      expect(jit.status).toBe(js.status);
      expect(jit.body).toBe(js.body);
      expect(JSON.parse(jit.body)).toHaveProperty(jit.body.includes('"errors"') ? 'errors' : 'data');
    },
  );

  it('the cases do exercise data and errors', async () => {
    const page = JSON.parse((await both(CASES[0][1], CASES[0][2])).jit.body);
    expect(page.data.sales.edges.length).toBeGreaterThan(0);
    expect(page.data.sales.edges[0].node.items.length).toBeGreaterThan(0);
    const refused = JSON.parse((await both(CASES[3][1])).jit.body);
    // `rules` and `sales` are non-null: their error nulls `data` as a whole, as the spec requires.
    expect(refused).toEqual({
      data: null,
      errors: [expect.objectContaining({ path: ['rules'], extensions: { code: 'GW_FORBIDDEN' } })],
    });
    const bad = JSON.parse((await both(CASES[2][1])).jit.body);
    expect(bad).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          path: ['bad'],
          locations: [{ line: 1, column: 30 }],
          extensions: expect.objectContaining({ code: 'GW_VALIDATION_FAILED' }),
        }),
      ],
    });
  });
});

/**
 * Refusals, each with the status and code it must have: the same from graphql-jit and graphql-js, in
 * development and in production (where messages lose their suggestions and nothing may turn a 4xx
 * into a 500).
 */
const REFUSALS: Array<{
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  status: number;
  code: string;
  message?: string;
}> = [
  {
    name: 'a missing variable',
    query: 'query Sale($id: ID!) { sale(id: $id) { id } }',
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'Variable "$id" of required type "ID!" was not provided.',
  },
  {
    name: 'a null non-null variable',
    query: 'query Sale($id: ID!) { sale(id: $id) { id } }',
    variables: { id: null },
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'Variable "$id" of non-null type "ID!" must not be null.',
  },
  {
    name: 'a wrongly-typed variable',
    query: 'query Page($first: Int) { sales(first: $first) { edges { node { id } } } }',
    variables: { first: 'ten' },
    status: 400,
    code: 'BAD_USER_INPUT',
    message: 'Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
  },
  {
    name: 'a variable with an object for an ID and an unknown input field',
    query: `query ($id: ID!, $filter: SalesFilterInput) {
      sale(id: $id) { id } sales(filter: $filter) { edges { cursor } } }`,
    variables: { id: { a: 1 }, filter: { nope: 1 } },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an unknown field (validation)',
    query: '{ sael(id: "x") { id } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a literal of the wrong type (validation)',
    query: '{ sales(first: "ten") { edges { cursor } } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a resolver refusing its arguments',
    query: '{ sales(first: -1) { edges { node { id } } } }',
    status: 400,
    code: 'GW_VALIDATION_FAILED',
  },
  { name: 'a resolver refusing the caller', query: '{ rules { id } }', status: 403, code: 'GW_FORBIDDEN' },
  {
    name: 'an alias bomb (query limit)',
    query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: sale(id: "x") { id }`).join(' ')} }`,
    status: 400,
    code: 'GW_QUERY_LIMIT_EXCEEDED',
  },
  {
    name: 'a subscription over HTTP',
    query: 'subscription { webhookProcessed(client: "banban") { id } }',
    status: 400,
    code: 'GW_SUBSCRIPTION_OVER_HTTP',
  },
];

describe('refusals: graphql-jit answers as graphql-js, with the status and code of the refusal', () => {
  let prod: TestApp;
  let prodReference: FastifyInstance;
  beforeAll(async () => {
    prod = await startTestApp({ NODE_ENV: 'production' });
    prodReference = (await buildApp({ config: { ...prod.config, graphqlJit: false }, db: prod.db })).server;
    await prodReference.ready();
  });
  afterAll(async () => {
    await prodReference?.close();
    await prod?.close();
  });

  const modes = () => [
    { mode: 'development', jit: t, js: reference },
    { mode: 'production', jit: prod, js: prodReference },
  ];

  it.each(REFUSALS)('$name', async ({ query, variables, status, code, message }) => {
    for (const { mode, jit, js } of modes()) {
      const request = (key: string) => ({
        method: 'POST' as const,
        url: '/graphql',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        payload: JSON.stringify({ query, variables: variables ?? {} }),
      });
      const [a, b] = await Promise.all([jit.app.inject(request(jit.apiKey)), js.inject(request(jit.apiKey))]);
      expect([mode, a.statusCode, a.body]).toEqual([mode, b.statusCode, b.body]);
      const body = JSON.parse(a.body) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect([mode, a.statusCode, body.errors[0].extensions.code]).toEqual([mode, status, code]);
      if (message) expect(body.errors[0].message).toBe(message);
      expect(body.errors[0].message).not.toMatch(/read only|Internal server error/);
    }
  });

  it('production hides suggestions; development keeps them', async () => {
    const typo = {
      method: 'POST' as const,
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ sael(id: "x") { id } }' }),
    };
    const dev = JSON.parse((await t.app.inject({ ...typo, headers: { ...typo.headers, 'x-api-key': t.apiKey } })).body);
    const production = JSON.parse(
      (await prod.app.inject({ ...typo, headers: { ...typo.headers, 'x-api-key': prod.apiKey } })).body,
    );
    expect(dev.errors[0].message).toMatch(/Did you mean "sale"/);
    expect(production.errors[0].message).toBe('Cannot query field "sael" on type "Query".');
  });
});

describe(
  'graphql-jit with our patch (one fixed-arity function per leaf; ' +
    'errors build their path and locations only when they fail)',
  () => {
    // A schema whose leaves fail in every way a leaf can: null for a non-null field, an Error value,
    // and a value the scalar refuses, at several list depths; graphql-js is the reference.
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          rows: {
            type: new GraphQLList(
              new GraphQLObjectType({
                name: 'Row',
                fields: {
                  id: { type: new GraphQLNonNull(GraphQLString) },
                  n: { type: GraphQLInt },
                  must: { type: new GraphQLNonNull(GraphQLInt) },
                  cells: {
                    type: new GraphQLList(
                      new GraphQLObjectType({
                        name: 'Cell',
                        fields: { v: { type: new GraphQLNonNull(GraphQLString) }, w: { type: GraphQLInt } },
                      }),
                    ),
                  },
                },
              }),
            ),
            resolve: () => [
              {
                id: 'a',
                n: 1,
                must: 1,
                cells: [
                  { v: 'x', w: 1 },
                  { v: null, w: 'not an int' },
                ],
              },
              { id: null, n: new Error('n failed'), must: 2, cells: [] },
              { id: 'c', n: 'three', must: new Error('must failed'), cells: [{ v: new Error('v failed'), w: 2 }] },
            ],
          },
        },
      }),
    });
    const source = `query Q {
    rows { id n must
      cells { v w } } }`;

    it('has the data of graphql-js and every error it reports, each with its message, locations and path', async () => {
      const document = parse(source);
      const operation = document.definitions[0] as OperationDefinitionNode;
      const requestContext = {
        document,
        source,
        operation,
        operationName: 'Q',
        queryHash: 'leaf-errors',
        request: { variables: {} },
        context: {},
      };
      const jit = await jitExecutor(schema)(requestContext as unknown as Parameters<ReturnType<typeof jitExecutor>>[0]);
      const js = await execute({ schema, document, operationName: 'Q', contextValue: {} });
      expect(jit.data).toEqual(js.data);
      const plain = (errors: readonly GraphQLError[] | undefined) =>
        (errors ?? []).map((e) => JSON.parse(JSON.stringify(e)));
      for (const error of plain(js.errors)) expect(plain(jit.errors)).toContainEqual(error);
      // graphql-jit completes every field of an object before nulling it, so it also reports the errors
      // of siblings graphql-js never reached (`w` in cells[1], `n` in rows[1], `v` in rows[2]): each one
      // real, at its own path.
      const at = (message: string, line: number, column: number, ...path: Array<string | number>) => ({
        message,
        locations: [{ line, column }],
        path,
      });
      expect(plain(jit.errors)).toEqual(
        expect.arrayContaining([
          at('Cannot return null for non-nullable field Cell.v.', 3, 15, 'rows', 0, 'cells', 1, 'v'),
          at('Int cannot represent non-integer value: "not an int"', 3, 17, 'rows', 0, 'cells', 1, 'w'),
          at('Cannot return null for non-nullable field Row.id.', 2, 12, 'rows', 1, 'id'),
          at('n failed', 2, 15, 'rows', 1, 'n'),
          at('Int cannot represent non-integer value: "three"', 2, 15, 'rows', 2, 'n'),
          at('must failed', 2, 17, 'rows', 2, 'must'),
          at('v failed', 3, 15, 'rows', 2, 'cells', 0, 'v'),
        ]),
      );
      expect(jit.errors).toHaveLength(7);
    });

    it(
      'its errors are built as graphql-js builds them: ' +
        'a writable message, extensions an object (Apollo reads their code)',
      async () => {
        const document = parse(source);
        const requestContext = {
          document,
          source,
          operation: document.definitions[0],
          operationName: 'Q',
          queryHash: 'leaf-errors-2',
          request: { variables: {} },
          context: {},
        };
        const jit = await jitExecutor(schema)(
          requestContext as unknown as Parameters<ReturnType<typeof jitExecutor>>[0],
        );
        expect(jit.errors).toHaveLength(7);
        for (const error of jit.errors ?? []) {
          expect(error).toBeInstanceOf(GraphQLError);
          expect(error.extensions).toEqual({});
          expect(Object.getOwnPropertyDescriptor(error, 'message')?.writable).toBe(true);
        }
      },
    );

    it(
      'a scalar that serializes to nothing (undefined or NaN) ' +
        'is a located error, as unpatched graphql-jit reports it',
      async () => {
        const Odd = new GraphQLScalarType({
          name: 'Odd',
          serialize: (v) => (typeof v === 'number' && v % 2 === 1 ? v : v === 'nan' ? Number.NaN : undefined),
        });
        const oddSchema = new GraphQLSchema({
          query: new GraphQLObjectType({
            name: 'Query',
            fields: {
              odds: {
                type: new GraphQLList(
                  new GraphQLObjectType({
                    name: 'O',
                    fields: { v: { type: Odd }, w: { type: new GraphQLNonNull(Odd) } },
                  }),
                ),
                resolve: () => [
                  { v: 1, w: 3 },
                  { v: 2, w: 'nan' },
                ],
              },
            },
          }),
        });
        const document = parse('{ odds { v w } }');
        const requestContext = {
          document,
          source: '',
          operation: document.definitions[0],
          operationName: undefined,
          queryHash: 'odd',
          request: { variables: {} },
          context: {},
        };
        const jit = await jitExecutor(oddSchema)(
          requestContext as unknown as Parameters<ReturnType<typeof jitExecutor>>[0],
        );
        expect(jit.data).toEqual({ odds: [{ v: 1, w: 3 }, null] });
        expect(JSON.parse(JSON.stringify(jit.errors))).toEqual([
          {
            message: 'Expected a value of type "Odd" but received: 2',
            locations: [{ line: 1, column: 10 }],
            path: ['odds', 1, 'v'],
          },
          {
            message: 'Expected a value of type "Odd" but received: nan',
            locations: [{ line: 1, column: 12 }],
            path: ['odds', 1, 'w'],
          },
        ]);
      },
    );
  },
);

describe(
  'graphql-jit with our patch: list items (a loop per list; ' + 'items that are not promises handled without closures)',
  () => {
    // Items of every kind a list can hold: values, promises, rejected promises, Error values and
    // nulls, in nullable and non-null lists, two levels deep; graphql-js is the reference.
    const Cell = new GraphQLObjectType({ name: 'Cell', fields: { v: { type: GraphQLString } } });
    const cells = () => [
      { v: 'a' },
      Promise.resolve({ v: 'b' }),
      null,
      new Error('cell error'),
      Promise.reject(new Error('cell rejected')),
      Promise.resolve(null),
    ];
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          cells: { type: new GraphQLList(Cell), resolve: cells },
          strict: {
            type: new GraphQLList(new GraphQLNonNull(Cell)),
            resolve: () => [{ v: 'x' }, Promise.resolve({ v: 'y' })],
          },
          strictFailing: { type: new GraphQLList(new GraphQLNonNull(Cell)), resolve: () => [{ v: 'x' }, null] },
          grid: {
            type: new GraphQLList(new GraphQLList(Cell)),
            resolve: () => [
              [{ v: '1' }, Promise.resolve({ v: '2' })],
              Promise.resolve([{ v: '3' }, null]),
              null,
              [Promise.reject(new Error('deep'))],
            ],
          },
        },
      }),
    });

    it.each([
      ['{ cells { v } }'],
      ['{ strict { v } }'],
      ['{ strictFailing { v } }'],
      ['{ grid { v } }'],
      ['{ cells { v } strict { v } grid { v } }'],
    ])('%s: the data of graphql-js and each of its errors', async (source) => {
      const document = parse(source);
      const requestContext = {
        document,
        source,
        operation: document.definitions[0],
        operationName: undefined,
        queryHash: source,
        request: { variables: {} },
        context: {},
      };
      const jit = await jitExecutor(schema)(requestContext as unknown as Parameters<ReturnType<typeof jitExecutor>>[0]);
      const js = await execute({ schema, document, contextValue: {} });
      expect(jit.data).toEqual(js.data);
      const plain = (errors: readonly GraphQLError[] | undefined) =>
        (errors ?? []).map((e) => JSON.parse(JSON.stringify(e)));
      expect(plain(jit.errors)).toEqual(expect.arrayContaining(plain(js.errors)));
      expect(plain(jit.errors)).toHaveLength(plain(js.errors).length);
    });
  },
);

describe('webhook actions compiled by graphql-jit answer as with graphql-js', () => {
  const deliveries = (p: string): Array<[string, unknown]> => [
    ['sales-flow', variant('sales-flow', 'register_sale', { sale_id: `${p}-S1` })],
    // business rule (422)
    ['sales-flow', variant('sales-flow', 'register_sale', { sale_id: `${p}-S2`, total: '1.00' })],
    [
      'sales-flow',
      variant('sales-flow', 'register_payment', { sale_id: `${p}-S1`, payment_id: `${p}-P1`, amount: '9999.00' }),
    ], // over-payment
    [
      'sales-flow',
      variant('sales-flow', 'register_payment', { sale_id: `${p}-S1`, payment_id: `${p}-P2`, amount: '100.00' }),
    ],
    ['sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: `${p}-NONE` })], // coded 404
    ['sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: `${p}-S1` })],
  ];
  const post = (app: FastifyInstance, flow: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${flow}`,
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      payload: JSON.stringify(body),
    });
  /** The body with what differs by construction (event ids, the business ids' prefix) taken out. */
  const comparable = (body: string, prefix: string) =>
    body
      .replace(/"eventId":"[^"]+"/g, '"eventId":"…"')
      .split(prefix)
      .join('…');

  it('results and refusals (status, code, message, issues) are the same', async () => {
    const jitSide = deliveries('JWA');
    const jsSide = deliveries('JWB');
    for (let i = 0; i < jitSide.length; i++) {
      const a = await post(t.app, jitSide[i][0], jitSide[i][1]);
      const b = await post(reference, jsSide[i][0], jsSide[i][1]);
      expect([a.statusCode, comparable(a.body, 'JWA')]).toEqual([b.statusCode, comparable(b.body, 'JWB')]);
    }
    expect((await post(t.app, ...jitSide[0])).statusCode).toBe(200); // a replay
  });
});
