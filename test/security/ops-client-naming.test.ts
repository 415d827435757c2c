import {
  getNamedType,
  getNullableType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  OperationTypeNode,
} from 'graphql';
import { buildGatewaySchema } from '../../src/schema/build-schema';
import type { HubTopic } from '../../src/subscriptions/hub-events';
import { graphql } from '../support/http';
import { Feed, listen, liveClient } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { bearer, JWT_ENV, opsToken } from './tokens';

/**
 * An ops token without `client_id` names the client with `client` (an argument, or a field of its
 * input/filter). Every such field of the schema, enumerated, must honour it: no "This token names no
 * client", no refusal.
 */
const schema = buildGatewaySchema();
let t: TestApp;
let ops: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
  ops = bearer(await opsToken('ops-without-client'));
});
afterAll(() => t.close());

type Kind = OperationTypeNode;
interface ClientField {
  kind: Kind;
  field: GraphQLField<unknown, unknown>;
  /** Where `client` goes: the argument itself, or a field of an input-object argument. */
  at: { arg: string; inside?: string };
}

/** Root fields that take `client`, directly or in an input object (one level down). */
function clientFields(): ClientField[] {
  const found: ClientField[] = [];
  for (const kind of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]) {
    for (const field of Object.values(schema.getRootType(kind)!.getFields())) {
      const direct = field.args.find((a) => a.name === 'client');
      if (direct) {
        found.push({ kind, field, at: { arg: 'client' } });
        continue;
      }
      const holder = field.args.find((a) => {
        const type = getNamedType(a.type);
        return isInputObjectType(type) && 'client' in type.getFields();
      });
      if (holder) found.push({ kind, field, at: { arg: holder.name, inside: 'client' } });
    }
  }
  return found;
}

/** Values for arguments by name, where a type alone says too little. */
const BY_NAME: Record<string, unknown> = {
  flow: 'sales',
  segment: 'champions',
  from: '2026-01-01T00:00:00Z',
  to: '2026-12-31T00:00:00Z',
  window: 3600,
  first: 5,
  name: 'ops-client-naming',
};
const LOCAL_DATES: Record<string, string> = { from: '2026-01-01', to: '2026-12-31', asOf: '2026-06-30' };
/** Optional input fields a resolver needs before it resolves the client (field → argument → fields). */
const EXTRA: Record<string, Record<string, Record<string, unknown>>> = { testRule: { input: { ruleId: '1' } } };

/** A value of `type` for an argument or input field called `name` (input objects: their required fields only). */
function valueFor(type: GraphQLInputType, name: string): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [valueFor(inner.ofType, name)];
  if (isEnumType(inner)) return inner.getValues()[0].name;
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const f of Object.values(inner.getFields())) {
      if (isNonNullType(f.type)) value[f.name] = valueFor(f.type, f.name);
    }
    return value;
  }
  if (isScalarType(inner)) {
    if (inner.name === 'LocalDate') return LOCAL_DATES[name] ?? '2026-06-30';
    if (name in BY_NAME) return BY_NAME[name];
    if (inner.name === 'DateTime') return '2026-06-30T12:00:00Z';
    if (inner.name === 'Int' || inner.name === 'Float') return 1;
    if (inner.name === 'Boolean') return false;
    if (inner.name === 'JSON' || inner.name === 'JSONObject') return {};
    return 'ops-client-naming';
  }
  throw new Error(`no value for ${String(type)}`);
}

/** The operation with every required argument (and `client`) as a variable, and the variables. */
function operation(c: ClientField, client: string | undefined): { query: string; variables: Record<string, unknown> } {
  const args = c.field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) || a.name === c.at.arg);
  const variables: Record<string, unknown> = {};
  for (const a of args) {
    let value = valueFor(a.type, a.name);
    if (EXTRA[c.field.name]?.[a.name]) value = { ...(value as object), ...EXTRA[c.field.name][a.name] };
    if (a.name === c.at.arg && !c.at.inside) value = client;
    if (a.name === c.at.arg && c.at.inside) value = { ...(value as object), ...(client !== undefined && { client }) };
    variables[a.name] = value;
  }
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`);
  const selection = isCompositeType(getNamedType(c.field.type)) ? ' { __typename }' : '';
  const query = `${c.kind}${declared.length ? `(${declared.join(', ')})` : ''} { ${c.field.name}${
    args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : ''
  }${selection} }`;
  return { query, variables };
}

type GqlError = { message: string; extensions?: { code?: string; issues?: Array<{ path: string }> } };
/** Errors that are about the client: the token naming none, or a refusal. */
const REFUSED = new Set(['GW_FORBIDDEN', 'GW_UNAUTHENTICATED']);
const aboutClient = (errors: GqlError[] = []) =>
  errors.filter((e) => /names no client/.test(e.message) || REFUSED.has(e.extensions?.code ?? ''));

const FIELDS = clientFields();
const over = (kind: Kind) => FIELDS.filter((c) => c.kind === kind).map((c) => [c.field.name, c] as const);

it('the schema has client-scoped fields in every operation kind (the enumeration works)', () => {
  const names = FIELDS.map((c) => c.field.name);
  const some = ['integrationMetricsSeries', 'dailySales', 'rfmSegments', 'rules', 'createRule', 'testRule', 'alerts'];
  expect(names).toEqual(expect.arrayContaining(some));
  expect(names.length).toBeGreaterThanOrEqual(15);
});

describe('over HTTP, as an ops token without client_id naming banban', () => {
  it.each([...over(OperationTypeNode.QUERY), ...over(OperationTypeNode.MUTATION)])('%s', async (_name, c) => {
    const { query, variables } = operation(c, 'banban');
    const res = await graphql(t, query, variables, ops);
    expect({ query, errors: aboutClient(res.body.errors) }).toEqual({ query, errors: [] });
    // The generated arguments reach the resolver: any other error is its own answer (e.g. no RFM snapshot yet).
    const badInput = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];
    const refusedArguments = (res.body.errors ?? []).filter((e) => badInput.includes(e.extensions?.code ?? ''));
    expect({ query, refusedArguments }).toEqual({ query, refusedArguments: [] });
  });

  it('naming no client where one is needed still says so (400, path client)', async () => {
    const res = await graphql(t, '{ rules { id } }', {}, ops);
    const message = expect.stringMatching(/names no client/);
    const expected = { message, extensions: { code: 'GW_VALIDATION_FAILED' } };
    expect(res.body.errors?.[0]).toMatchObject(expected);
  });
});

/** Which hub topic feeds each subscription that takes `client` (a new one must be added here). */
const TOPICS: Record<string, HubTopic> = {
  alerts: 'alert',
  webhookProcessed: 'webhook-processed',
  flowStatusChanged: 'flow-status',
  circuitStateChanged: 'circuit-state',
};

describe('over graphql-ws (a real graphql-ws client), as an ops token without client_id naming banban', () => {
  it.each(over(OperationTypeNode.SUBSCRIPTION))("%s delivers banban's events", async (name, c) => {
    const topic = TOPICS[name];
    expect({ name, topic }).toEqual({ name, topic: expect.any(String) });
    const client = liveClient(await listen(t.app), ops);
    const { query, variables } = operation(c, 'banban');
    const feed = new Feed(client, query, variables);
    try {
      const at = new Date().toISOString();
      // One payload with every topic's fields; the subscription selects only __typename.
      const payload = { id: 'e1', clientId: 'banban', flow: 'sales', name: 'sales', action: 'probe' };
      const event = { ...payload, outcome: 'processed', status: 'ok', state: 'open', previous: null, at } as never;
      const publish = () => t.services.events.publish(topic as 'alert', 'banban', event);
      const deadline = Date.now() + 5000;
      let result: Awaited<ReturnType<Feed['nextResult']>> | undefined;
      while (!result && Date.now() < deadline) {
        publish();
        result = await feed
          .nextResult(() => true, 200)
          .catch((err: Error & { cause?: unknown }) => {
            if (/no matching result/.test(err.message)) return undefined;
            throw Object.assign(new Error(`${name}: ${JSON.stringify(err.cause)}`), { cause: err.cause });
          });
      }
      expect(result?.errors ?? []).toEqual([]);
      expect(result?.data?.[name]).toEqual({ __typename: expect.any(String) });
    } finally {
      feed.close();
      await client.dispose();
    }
  });
});
