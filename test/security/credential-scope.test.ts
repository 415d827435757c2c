import {
  getNamedType,
  GraphQLField,
  GraphQLObjectType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  OperationTypeNode,
  print,
} from 'graphql';
import { FLOW_REACH, flowRoots, SHARED_TYPES } from '../../src/auth/authorize';
import { createApiKey } from '../../src/auth/key-management';
import { buildGatewaySchema } from '../../src/schema/build-schema';
import type { ActionDefinition } from '../../src/webhooks/flow-definition';
import { FLOWS } from '../../src/webhooks/flows';
import { fixture } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { Feed, listen, liveClient, untilLive, webhookProbe } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A flow-scoped key holds its scope on every transport: the REST shim, GraphQL over HTTP and
 * graphql-ws. Its reach is its flow's root fields and entities (src/auth/authorize.ts); a client
 * key reaches everything of its client.
 */
const schema = buildGatewaySchema();
let t: TestApp;
/** One key per flow, created as `npm run keys -- create --client banban --flow <path>` does. */
const flowKeys: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  for (const flow of Object.values(FLOWS)) {
    const request = { client: 'banban', flow: flow.path, name: `${flow.key}-only` };
    const issued = await createApiKey(t.services.apiKeys, request);
    flowKeys[flow.key] = issued.key;
  }
});
afterAll(() => t.close());

const as = (key: string) => ({ 'x-api-key': key });
const refusedByScope = (res: { body: { errors?: Array<{ message: string; extensions?: { code?: string } }> } }) =>
  res.body.errors?.some((e) => e.extensions?.code === 'GW_FORBIDDEN' && /limited to its flow/.test(e.message)) ?? false;

/** The operation an action runs and its variables for the banban fixture (what the REST shim executes). */
function actionOperation(flowKey: keyof typeof FLOWS, action: string, flowPath: string) {
  const a = (FLOWS[flowKey].actions as Record<string, ActionDefinition>)[action];
  const variables = a.toVariables(a.schema.parse(fixture(flowPath, action).data)) as Record<string, unknown>;
  return { query: print(a.document), variables };
}

const count = async (table: string) => {
  const { rows } = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0].n;
};

describe('a sales-flow key (the issue: --client banban --flow sales-flow)', () => {
  it('REST: opens sales-flow and no other flow', async () => {
    const salesKey = { ...t, apiKey: flowKeys.sales };
    const sale = await postWebhook(salesKey, 'sales-flow', fixture('sales-flow', 'register_sale'));
    expect(sale.status).toBe(200);
    const adjustments = await count('inventory_adjustments');
    const refused = await postWebhook(salesKey, 'inventory-flow', fixture('inventory-flow', 'adjust_stock'));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'GW_FORBIDDEN']);
    expect(await count('inventory_adjustments')).toBe(adjustments);
  });

  it('GraphQL over HTTP: adjustStock and createTransfer are refused and write nothing; registerSale runs', async () => {
    const [adjustments, transfers] = [await count('inventory_adjustments'), await count('transfers')];
    const foreign = [
      actionOperation('inventory', 'adjust_stock', 'inventory-flow'),
      actionOperation('transfer', 'create_transfer', 'transfer-flow'),
    ];
    for (const op of foreign) {
      const res = await graphql(t, op.query, op.variables, as(flowKeys.sales));
      expect(res.status).toBe(403);
      expect(refusedByScope(res)).toBe(true);
      expect(res.body.data ?? null).toBeNull();
    }
    expect([await count('inventory_adjustments'), await count('transfers')]).toEqual([adjustments, transfers]);

    const payment = actionOperation('sales', 'register_payment', 'sales-flow');
    const paid = await graphql(t, payment.query, payment.variables, as(flowKeys.sales));
    expect(paid.body.errors).toBeUndefined();
    expect(paid.body.data.registerPayment).toMatchObject({ id: expect.any(String) });
  });

  it("GraphQL over HTTP: reads its flow's entities, not another flow's, at any depth", async () => {
    const ownQuery =
      '{ sale(id: "V-2026-000123") { id items { sku product { sku } } customer { id } store { code } } }';
    const own = await graphql(t, ownQuery, {}, as(flowKeys.sales));
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.sale.id).toBe('V-2026-000123');
    const foreign = [
      '{ transfers(first: 5) { edges { node { id } } } }',
      '{ stock(sku: "MEIA-ESP-UN", location: "LJ-001") { quantity } }',
      '{ sale(id: "V-2026-000123") { id returns { id } } }',
      '{ sales(first: 5) { edges { node { ...R } } } } fragment R on Sale { returns { refunds { id } } }',
      '{ webhookEvents(first: 5) { edges { node { id } } } }',
      '{ dailySales(from: "2026-01-01", to: "2026-12-31") { day } }',
      'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
    ];
    for (const query of foreign) {
      const res = await graphql(t, query, { r: [] }, as(flowKeys.sales));
      const verdict = { query, refused: refusedByScope(res), status: res.status };
      expect(verdict).toEqual({ query, refused: true, status: 403 });
    }
  });

  it('a client key (no flow) reaches every flow: the same adjustStock runs', async () => {
    const op = actionOperation('inventory', 'adjust_stock', 'inventory-flow');
    const res = await graphql(t, op.query, op.variables, as(t.apiKey));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.adjustStock.id).toBe('AJ-2026-0091');
  });
});

/** `field(arg: $arg, …) { __typename }`: valid for the schema; its required variables are left unset. */
function probe(kind: OperationTypeNode, field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a, i) => `$a${i}: ${String(a.type)}`);
  const args = field.args.map((a, i) => `${a.name}: $a${i}`);
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  const declared = vars.length ? `(${vars.join(', ')})` : '';
  return `${kind}${declared} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
}

/** `_service` is the schema itself: schema-visibility.test.ts. */
const rootFields = (kind: OperationTypeNode) =>
  Object.values(schema.getRootType(kind)!.getFields()).filter((f) => f.name !== '_service');

describe('every root field × every flow key (enumerated from the schema)', () => {
  it.each(Object.keys(FLOWS))("%s key over HTTP: exactly its flow's queries and mutations pass", async (flow) => {
    const verdicts: string[] = [];
    for (const kind of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION]) {
      for (const field of rootFields(kind)) {
        const res = await graphql(t, probe(kind, field), {}, as(flowKeys[flow]));
        const inReach = flowRoots(flow)![kind].has(field.name);
        if (refusedByScope(res) === inReach) verdicts.push(`${kind} ${field.name}: ${inReach ? 'refused' : 'allowed'}`);
      }
    }
    expect(verdicts).toEqual([]);
  });

  it("graphql-ws (a real graphql-ws client): exactly the flow's subscriptions pass the scope", async () => {
    const url = await listen(t.app);
    const verdicts: string[] = [];
    for (const flow of Object.keys(FLOWS)) {
      const client = liveClient(url, as(flowKeys[flow]));
      try {
        for (const field of rootFields(OperationTypeNode.SUBSCRIPTION)) {
          const end = await new Feed(client, probe(OperationTypeNode.SUBSCRIPTION, field)).end();
          const refusals = Array.isArray(end.failure) ? end.failure : [];
          const errors = [...refusals, ...end.results.flatMap((r) => r.errors ?? [])];
          const refused = refusedByScope({ body: { errors } });
          const inReach = flowRoots(flow)!.subscription.has(field.name);
          if (refused === inReach) verdicts.push(`${flow}: ${field.name} ${inReach ? 'refused' : 'allowed'}`);
        }
      } finally {
        await client.dispose();
      }
    }
    expect(verdicts).toEqual([]);
  });

  it('graphql-ws: a sales-flow key cannot watch deliveries; a client key of the same client can', async () => {
    const url = await listen(t.app);
    const WATCH = 'subscription { webhookProcessed(client: "banban") { id client } }';
    const scoped = liveClient(url, as(flowKeys.sales));
    try {
      const end = await new Feed(scoped, WATCH).end();
      expect((end.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe('GW_FORBIDDEN');
    } finally {
      await scoped.dispose();
    }
    const full = liveClient(url, as(t.apiKey));
    const feed = new Feed(full, WATCH);
    try {
      await untilLive(feed, webhookProbe(t.services.events), 'webhookProcessed');
    } finally {
      feed.close();
      await full.dispose();
    }
  });
});

describe('the scope table matches the schema', () => {
  const owner = new Map<string, string>();
  for (const [flow, reach] of Object.entries(FLOW_REACH)) for (const type of reach.entities) owner.set(type, flow);

  it('names existing root fields and types; each entity belongs to one flow', () => {
    const missing: string[] = [];
    for (const [flow, reach] of Object.entries(FLOW_REACH)) {
      const roots = { query: reach.queries, mutation: reach.mutations ?? [], subscription: reach.subscriptions ?? [] };
      for (const [kind, names] of Object.entries(roots)) {
        const fields = schema.getRootType(kind as OperationTypeNode)!.getFields();
        for (const name of names) if (!fields[name]) missing.push(`${flow}: ${kind} ${name}`);
      }
      for (const type of reach.entities) if (!isObjectType(schema.getType(type))) missing.push(`${flow}: type ${type}`);
    }
    expect(missing).toEqual([]);
    const all = Object.values(FLOW_REACH).flatMap((r) => r.entities);
    expect(all.length).toBe(new Set(all).size);
  });

  it("every object type a flow's roots lead to is its entity, shared master data, or another flow's (refused)", () => {
    const unowned = new Set<string>();
    for (const flow of Object.keys(FLOWS)) {
      const roots = flowRoots(flow)!;
      const queue: GraphQLObjectType[] = [];
      const seen = new Set<string>();
      const visitType = (name: string) => {
        const type = schema.getType(name);
        const objects = isUnionType(type) ? type.getTypes() : isObjectType(type) || isInterfaceType(type) ? [type] : [];
        for (const o of objects) {
          if (seen.has(o.name)) continue;
          seen.add(o.name);
          if (owner.has(o.name) && owner.get(o.name) !== flow) continue; // refused by the scope
          if (!owner.has(o.name) && !SHARED_TYPES.includes(o.name)) unowned.add(`${o.name} (from ${flow})`);
          if (isObjectType(o)) queue.push(o);
        }
      };
      for (const kind of Object.keys(roots) as OperationTypeNode[]) {
        for (const name of roots[kind]) visitType(getNamedType(schema.getRootType(kind)!.getFields()[name].type).name);
      }
      while (queue.length) {
        for (const f of Object.values(queue.shift()!.getFields())) visitType(getNamedType(f.type).name);
      }
    }
    expect([...unowned]).toEqual([]);
  });
});
