import { buildGatewaySchema } from '../../src/schema/build-schema';
import { fixture, variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { appToken, bearer, JWT_ENV } from './tokens';

/**
 * A second tenant, `acme`, with a valid app token, aims at banban's ids through every query and
 * mutation of the graph: it reads nothing of banban's and changes nothing of banban's.
 */
let t: TestApp;
let acme: Record<string, string>;
const BANBAN_SALE = 'V-2026-000123';
const BANBAN_CUSTOMER = fixture('sales-flow', 'register_sale').data.customer.customer_id as string;

beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
  await t.db.query(`insert into clients (id, name) values ('acme', 'Acme Retail')`);
  // acme has no client module, so its sales need stock on hand (banban's may go below zero)
  await t.db.query(`insert into locations (client_id, code, kind) values ('acme', 'ACME-01', 'store'), ('acme', 'LJ-001', 'store')`);
  await t.db.query(`insert into products (client_id, sku) values ('acme', 'ACME-SKU'), ('acme', 'TENIS-RUN-38-PRETO')`);
  await t.db.query(`insert into stock_levels (client_id, location_code, sku, quantity) values ('acme', 'ACME-01', 'ACME-SKU', 10), ('acme', 'LJ-001', 'TENIS-RUN-38-PRETO', 10)`);
  acme = bearer(await appToken('acme'));
  for (const body of [fixture('sales-flow', 'register_sale'), fixture('sales-flow', 'register_payment'), variant('sales-flow', 'register_sale', { sale_id: 'V-BANBAN-OPEN' })]) {
    expect((await postWebhook(t, 'sales-flow', body)).status).toBe(200);
  }
  // acme's own sale, through the graph with its own token
  const own = await gql(
    `mutation($i: RegisterSaleInput!) { registerSale(input: $i) { id } }`,
    acme,
    { i: { id: 'A-1', storeCode: 'ACME-01', channel: 'store', soldAt: '2026-11-28T10:00:00Z', customer: { id: 'C-ACME' }, items: [{ sku: 'ACME-SKU', quantity: 1, unitPrice: '10.00' }], total: '10.00' } },
  );
  expect(own.body).toEqual({ data: { registerSale: { id: 'A-1' } } });
});
afterAll(() => t.close());

async function gql(query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ query, variables }) });
  return { status: res.statusCode, body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/** A fingerprint of every row banban owns, in every table with a client_id (new flows' tables included). */
async function banbanFingerprint(): Promise<Record<string, string>> {
  const { rows: tables } = await t.db.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'client_id' and table_name not in ('audit_log', 'quarantine') order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const { rows } = await t.db.query(`select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${table_name}" x where client_id = 'banban'`);
    out[table_name] = `${rows[0].n}:${rows[0].h}`;
  }
  return out;
}

type Case = (headers: Record<string, string>) => Promise<void>;

const SALE_INPUT = (id: string) => ({ id, storeCode: 'LJ-001', channel: 'store', soldAt: '2026-11-28T10:00:00Z', items: [{ sku: 'TENIS-RUN-38-PRETO', quantity: 1, unitPrice: '1.00' }], total: '1.00' });

/** One case per root field of the graph: the foreign tenant's attempt, and what it must get. */
const CASES: Record<string, Case> = {
  sale: async (h) => {
    const res = await gql(`{ sale(id: "V-BANBAN-OPEN") { id total } }`, h);
    expect(res.body.data.sale).toBeNull();
  },
  sales: async (h) => {
    const res = await gql(`{ all: sales(first: 200) { edges { node { id } } } byCustomer: sales(filter: { customerId: "${BANBAN_CUSTOMER}", storeCode: "LJ-001" }) { edges { node { id } } } }`, h);
    expect(res.body.data.all.edges.map((e: any) => e.node.id)).not.toContain('V-BANBAN-OPEN');
    expect(res.body.data.byCustomer.edges).toEqual([]);
  },
  customer: async (h) => {
    const res = await gql(`{ customer(id: "${BANBAN_CUSTOMER}") { id name sales { edges { node { id } } } } }`, h);
    expect(res.body.data.customer).toBeNull();
  },
  webhookEvents: async (h) => {
    const own = await gql(`{ webhookEvents(first: 200) { edges { node { id businessId } } } }`, h);
    expect(own.body.data.webhookEvents.edges).toEqual([]);
    const named = await gql(`{ webhookEvents(client: "banban") { edges { node { id } } } }`, h);
    expect(named.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
    expect(named.body.data).toBeNull();
  },
  registerSale: async (h) => {
    // The same ERP id in another tenant is another sale: acme's, never banban's.
    const res = await gql(`mutation($i: RegisterSaleInput!) { registerSale(input: $i) { id total } }`, h, { i: SALE_INPUT(BANBAN_SALE) });
    expect(res.body.data.registerSale).toEqual({ id: BANBAN_SALE, total: '1.00' });
    const { rows } = await t.db.query(`select client_id, total::text from sales where id = $1 order by client_id`, [BANBAN_SALE]);
    expect(rows).toEqual([{ client_id: 'acme', total: '1.00' }, { client_id: 'banban', total: '309.70' }]);
  },
  registerPayment: async (h) => {
    const res = await gql(`mutation { registerPayment(input: { id: "P-X", saleId: "V-BANBAN-OPEN", method: "pix", amount: "1.00", paidAt: "2026-11-28T10:00:00Z" }) { id } }`, h);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_PREDECESSOR_MISSING');
  },
  registerCancellation: async (h) => {
    const res = await gql(`mutation { registerCancellation(input: { saleId: "V-BANBAN-OPEN", reason: "x", cancelledAt: "2026-11-28T10:00:00Z" }) { id } }`, h);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_SALE_NOT_FOUND');
  },
};
const opsOnly = (query: string): Case => async (h) => {
  const res = await gql(query, h);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_FORBIDDEN');
  expect(res.body.data ?? null).toBeNull();
};
Object.assign(CASES, {
  apiKeys: opsOnly('{ apiKeys(client: "banban") { id } }'),
  webhookSecrets: opsOnly('{ webhookSecrets(client: "banban") { id } }'),
  clientSecurity: opsOnly('{ clientSecurity(client: "banban") { schemes } }'),
  quarantine: opsOnly('{ quarantine(filter: { client: "banban" }) { edges { node { id } } } }'),
  auditLog: opsOnly('{ auditLog(filter: { client: "banban" }) { edges { node { id } } } }'),
  createApiKey: opsOnly('mutation { createApiKey(input: { client: "banban", name: "stolen" }) { key } }'),
  revokeApiKey: opsOnly('mutation { revokeApiKey(id: "1") { id } }'),
  createWebhookSecret: opsOnly('mutation { createWebhookSecret(client: "banban", name: "stolen") { secret } }'),
  revokeWebhookSecret: opsOnly('mutation { revokeWebhookSecret(id: "1") { id } }'),
  updateClientSecurity: opsOnly('mutation { updateClientSecurity(client: "banban", input: { ipAllowlist: ["0.0.0.0/0"] }) { schemes } }'),
});

describe('a foreign tenant (acme) against banban', () => {
  it('every query and mutation of the graph has a cross-tenant case here', () => {
    const schema = buildGatewaySchema();
    const roots = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()?.getFields() ?? {})];
    const missing = roots.filter((f) => !(f in CASES));
    // A new root field needs its case in CASES (test/security/tenant-isolation.test.ts).
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(CASES))('%s: reads nothing and changes nothing of banban\'s', async (field) => {
    const before = await banbanFingerprint();
    await CASES[field](acme);
    expect(await banbanFingerprint()).toEqual(before);
  });

  it('an API key of acme is held to the same tenant', async () => {
    const { key } = await t.services.apiKeys.issue({ clientId: 'acme', name: 'acme-key' });
    const before = await banbanFingerprint();
    await CASES.sale({ 'x-api-key': key });
    await CASES.customer({ 'x-api-key': key });
    await CASES.registerCancellation({ 'x-api-key': key });
    expect(await banbanFingerprint()).toEqual(before);
  });

  it('banban still sees exactly its own data', async () => {
    const res = await gql(`{ sale(id: "${BANBAN_SALE}") { total status } sales(first: 200) { edges { node { id } } } }`, bearer(await appToken('banban')));
    expect(res.body.data.sale).toEqual({ total: '309.70', status: 'PAID' });
    expect(res.body.data.sales.edges.map((e: any) => e.node.id).sort()).toEqual([BANBAN_SALE, 'V-BANBAN-OPEN']);
  });
});
