import {
  ExecutionArgs,
  ExecutionResult,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { createHubEventBus, HubEventBus, WebhookProcessedEvent } from '../../src/subscriptions/hub-events';
import { groupedSubscribe } from '../../src/subscriptions/grouped-subscribe';

/**
 * groupedSubscribe on the hub's real event bus: subscribers of one group share one source and one
 * execution per event, other groups get their own, and unsubscribing while waiting for an event ends
 * at once.
 */
let executions = 0;
let sourcesOpened = 0;
const Event = new GraphQLObjectType({
  name: 'Event',
  fields: {
    id: { type: GraphQLString },
    outcome: { type: GraphQLString },
    execution: { type: GraphQLInt, resolve: () => ++executions },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      processed: {
        type: Event,
        args: { client: { type: GraphQLString } },
        subscribe: (_root, args: { client: string }, ctx: { bus: HubEventBus }) => {
          sourcesOpened++;
          return ctx.bus.subscribe('webhook-processed', args.client);
        },
        resolve: (e: WebhookProcessedEvent) => e,
      },
    },
  }),
});
const document = parse('subscription ($client: String) { processed(client: $client) { id outcome execution } }');

let bus: HubEventBus;
const groups = new WeakMap<ExecutionArgs, string>();
const subscribe = groupedSubscribe((args) => groups.get(args));

async function subscriber(client: string, group: string | undefined) {
  const args: ExecutionArgs = { schema, document, variableValues: { client }, contextValue: { bus } };
  if (group) groups.set(args, group);
  const stream = (await subscribe(args)) as AsyncGenerator<ExecutionResult>;
  expect(typeof stream.next).toBe('function');
  return stream;
}

const event = (id: string, clientId = 'banban'): WebhookProcessedEvent => ({
  id,
  clientId,
  flow: 'sales',
  action: 'register_sale',
  outcome: 'processed',
  httpStatus: 200,
  durationMs: 1,
  at: new Date().toISOString(),
});

const tick = () => new Promise((r) => setTimeout(r, 10));

beforeEach(() => {
  bus = createHubEventBus();
  executions = 0;
  sourcesOpened = 0;
});
afterEach(() => bus.close());

jest.setTimeout(10_000);

test('subscribers of one group share an execution per event; another group gets its own', async () => {
  const a1 = await subscriber('banban', 'a');
  const a2 = await subscriber('banban', 'a');
  const b = await subscriber('banban', 'b');
  const lone = await subscriber('banban', undefined);

  // The bus listens from the first next() on (as graphql-ws does right after subscribing).
  const first = Promise.all([a1.next(), a2.next(), b.next(), lone.next()]);
  await tick();
  bus.publish('webhook-processed', 'banban', event('e1'));
  const [ra1, ra2, rb, rl] = await first;
  expect(ra1.value).toEqual({ data: { processed: { id: 'e1', outcome: 'processed', execution: expect.any(Number) } } });
  expect(ra2.value).toEqual(ra1.value);
  expect(rb.value.data.processed.id).toBe('e1');
  expect(rl.value.data.processed.id).toBe('e1');
  // Group a once, group b once, the ungrouped subscriber once.
  expect(executions).toBe(3);
  expect(
    new Set([ra1.value.data.processed.execution, rb.value.data.processed.execution, rl.value.data.processed.execution])
      .size,
  ).toBe(3);

  const second = Promise.all([a1.next(), a2.next(), b.next(), lone.next()]);
  await tick();
  bus.publish('webhook-processed', 'banban', event('e2'));
  const next = await second;
  expect(next.map((r) => r.value.data.processed.id)).toEqual(['e2', 'e2', 'e2', 'e2']);
  expect(executions).toBe(6);
  await Promise.all([a1, a2, b, lone].map((s) => s.return(undefined)));
});

test("groups of different variables see only their own client's events", async () => {
  const banban = await subscriber('banban', 'banban-group');
  const other = await subscriber('other', 'other-group');
  const received = Promise.all([banban.next(), other.next()]);
  await tick();
  bus.publish('webhook-processed', 'other', event('o1', 'other'));
  bus.publish('webhook-processed', 'banban', event('b1'));
  const [b1, o1] = await received;
  expect(b1.value.data.processed.id).toBe('b1');
  expect(o1.value.data.processed.id).toBe('o1');
  await Promise.all([banban.return(undefined), other.return(undefined)]);
});

test(
  'a group opens one source for all its subscribers; ' +
    'the last to leave closes it, and the next subscriber opens a new one',
  async () => {
    const members = await Promise.all(Array.from({ length: 50 }, () => subscriber('banban', 'many')));
    expect(sourcesOpened).toBe(1);
    const got = Promise.all(members.map((m) => m.next()));
    await tick();
    bus.publish('webhook-processed', 'banban', event('m1'));
    expect((await got).every((r) => r.value.data.processed.id === 'm1')).toBe(true);
    expect(executions).toBe(1);

    // One leaves: the others still receive.
    await members[0].return(undefined);
    const rest = Promise.all(members.slice(1).map((m) => m.next()));
    await tick();
    bus.publish('webhook-processed', 'banban', event('m2'));
    expect((await rest).map((r) => r.value.data.processed.id)).toEqual(Array(49).fill('m2'));
    expect(await members[0].next()).toEqual({ done: true, value: undefined });

    await Promise.all(members.slice(1).map((m) => m.return(undefined)));
    const again = await subscriber('banban', 'many');
    expect(sourcesOpened).toBe(2);
    const fresh = again.next();
    await tick();
    bus.publish('webhook-processed', 'banban', event('m3'));
    expect((await fresh).value.data.processed.id).toBe('m3');
    await again.return(undefined);
  },
);

test('a subscriber that does not read keeps its events in order, and the others are not held back', async () => {
  const reader = await subscriber('banban', 'q');
  const idle = await subscriber('banban', 'q');
  for (const id of ['q1', 'q2', 'q3']) {
    const got = reader.next();
    await tick();
    bus.publish('webhook-processed', 'banban', event(id));
    expect((await got).value.data.processed.id).toBe(id);
  }
  const queued = [await idle.next(), await idle.next(), await idle.next()].map(
    (r) => r.value!.data!.processed as { id: string },
  );
  expect(queued.map((p) => p.id)).toEqual(['q1', 'q2', 'q3']);
  await Promise.all([reader.return(undefined), idle.return(undefined)]);
});

test('unsubscribing while waiting for an event completes at once', async () => {
  const stream = await subscriber('banban', 'a');
  const pending = stream.next();
  const done = await Promise.race([
    stream.return(undefined).then(() => 'returned'),
    new Promise((r) => setTimeout(() => r('hung'), 1000)),
  ]);
  expect(done).toBe('returned');
  expect(await pending).toEqual({ done: true, value: undefined });
});

test('a refusal while subscribing is returned as a result, not a stream', async () => {
  const args: ExecutionArgs = {
    schema,
    document: parse('subscription { processed(client: "banban") { id } }'),
    contextValue: { bus: null },
  };
  const result = (await subscribe(args)) as ExecutionResult;
  expect(result.errors?.[0].message).toMatch(/subscribe/i);
});

test(
  'a refused or failed subscription is not kept for its group: ' + 'the next subscriber of the group subscribes afresh',
  async () => {
    const refusedArgs: ExecutionArgs = {
      schema,
      document,
      variableValues: { client: 'banban' },
      contextValue: { bus: null },
    };
    groups.set(refusedArgs, 'retry');
    const refused = (await subscribe(refusedArgs)) as ExecutionResult;
    expect(refused.errors?.[0].message).toMatch(/subscribe/i);
    const brokenArgs = {
      schema: {},
      document,
      variableValues: { client: 'banban' },
      contextValue: { bus },
    } as unknown as ExecutionArgs;
    groups.set(brokenArgs, 'retry');
    await expect(subscribe(brokenArgs)).rejects.toThrow();
    const stream = await subscriber('banban', 'retry');
    const got = stream.next();
    await tick();
    bus.publish('webhook-processed', 'banban', event('r1'));
    expect((await got).value.data.processed.id).toBe('r1');
    await stream.return(undefined);
  },
);
