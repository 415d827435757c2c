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
let banbanRun: string;
let banbanEvent: string;
let banbanDeadEvent: string;

beforeAll(async () => {
  // banban has an ETL source (never reached here): acme's batches must not be run against it
  // The metrics-history job runs only when called (below), so nothing rewrites banban's rows behind a case.
  t = await startTestApp({
    ...JWT_ENV,
    METRICS_AGGREGATE_INTERVAL_SECONDS: '0',
    ETL_SOURCES: JSON.stringify({ banban: 'postgres://postgres@127.0.0.1:5432/banban_erp_never_read' }),
  });
  await t.db.query(`insert into clients (id, name) values ('acme', 'Acme Retail')`);
  // acme has no client module, so its sales need stock on hand (banban's may go below zero)
  await t.db.query(
    `insert into locations (client_id, code, kind) values ('acme', 'ACME-01', 'store'), ('acme', 'LJ-001', 'store')`,
  );
  await t.db.query(`insert into products (client_id, sku) values ('acme', 'ACME-SKU'), ('acme', 'TENIS-RUN-38-PRETO')`);
  await t.db.query(
    `insert into stock_levels (client_id, location_code, sku, quantity)
     values ('acme', 'ACME-01', 'ACME-SKU', 10), ('acme', 'LJ-001', 'TENIS-RUN-38-PRETO', 10)`,
  );
  acme = bearer(await appToken('acme'));
  for (const body of [
    fixture('sales-flow', 'register_sale'),
    fixture('sales-flow', 'register_payment'),
    variant('sales-flow', 'register_sale', { sale_id: 'V-BANBAN-OPEN' }),
  ]) {
    expect((await postWebhook(t, 'sales-flow', body)).status).toBe(200);
  }
  // banban's data in every other flow, through the real webhook pipeline (stock first: purchase before shipping)
  for (const [flow, body] of [
    ['inventory-flow', variant('inventory-flow', 'adjust_stock', { quantity_delta: 10, reason: 'count_correction' })],
    ['inventory-flow', fixture('inventory-flow', 'take_snapshot')],
    ['purchase-flow', fixture('purchase-flow', 'create_order')],
    ['purchase-flow', fixture('purchase-flow', 'receive_document')],
    ['purchase-flow', fixture('purchase-flow', 'confirm_stock')],
    ['purchase-flow', variant('purchase-flow', 'create_order', { order_id: 'PO-BANBAN-OPEN' })],
    ['purchase-flow', variant('purchase-flow', 'create_order', { order_id: 'PO-BANBAN-2' })],
    ['transfer-flow', fixture('transfer-flow', 'create_transfer')],
    ['transfer-flow', fixture('transfer-flow', 'ship_products')],
    ['transfer-flow', variant('transfer-flow', 'create_transfer', { transfer_id: 'TR-BANBAN-CREATED' })],
    ['transfer-flow', variant('transfer-flow', 'create_transfer', { transfer_id: 'TR-BANBAN-2' })],
    ['returns-flow', fixture('returns-flow', 'register_return')],
    ['returns-flow', variant('returns-flow', 'register_return', { return_id: 'DV-BANBAN-OPEN' })],
  ] as const) {
    const res = await postWebhook(t, flow, body);
    expect([flow, body.action, res.status, res.status === 200 ? null : res.body]).toEqual([
      flow,
      body.action,
      200,
      null,
    ]);
  }
  // a failed banban delivery (out of order), the kind replayWebhookEvents puts back on the queue
  expect(
    (
      await postWebhook(
        t,
        'returns-flow',
        variant('returns-flow', 'process_refund', { return_id: 'DV-NOT-YET', refund_id: 'RF-NOT-YET' }),
      )
    ).status,
  ).toBe(409);
  // banban's RFM snapshot and ETL run
  const etl = await postWebhook(t, 'etl', fixture('etl', 'data_transformation'));
  expect(etl.status).toBe(202);
  banbanRun = etl.body.result.id;
  await t.services.etl.dispatcher.idle();
  ({
    rows: [{ id: banbanEvent }],
  } = await t.db.query(`select id from webhook_events where client_id = 'banban' order by received_at limit 1`));
  // the 409 above, dead-lettered as the queue would after its retries (the sync test app has no queue worker)
  ({
    rows: [{ id: banbanDeadEvent }],
  } = await t.db.query(
    `update webhook_events set status = 'dead' where client_id = 'banban' and http_status = 409 returning id`,
  ));
  // banban's integration metrics history, for the metrics cases to aim at
  await t.services.metricsHistory.aggregate();
  expect(
    (await t.db.query(`select count(*)::int as n from integration_metrics where client_id = 'banban'`)).rows[0].n,
  ).toBeGreaterThan(0);
  // acme's own sale, through the graph with its own token
  const own = await gql(`mutation($i: RegisterSaleInput!) { registerSale(input: $i) { id } }`, acme, {
    i: {
      id: 'A-1',
      storeCode: 'ACME-01',
      channel: 'store',
      soldAt: '2026-11-28T10:00:00Z',
      customer: { id: 'C-ACME' },
      items: [{ sku: 'ACME-SKU', quantity: 1, unitPrice: '10.00' }],
      total: '10.00',
    },
  });
  expect(own.body).toEqual({ data: { registerSale: { id: 'A-1' } } });
});
afterAll(() => t.close());

async function gql(query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return {
    status: res.statusCode,
    body: res.json() as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> },
  };
}

/** A fingerprint of every row banban owns, in every table with a client_id (new flows' tables included). */
async function banbanFingerprint(): Promise<Record<string, string>> {
  const { rows: tables } = await t.db.query<{ table_name: string }>(
    `select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'client_id' and table_name not in ('audit_log', 'quarantine')
      order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const { rows } = await t.db.query(
      `select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h
       from "${table_name}" x where client_id = 'banban'`,
    );
    out[table_name] = `${rows[0].n}:${rows[0].h}`;
  }
  return out;
}

type Case = (headers: Record<string, string>) => Promise<void>;

const SALE_INPUT = (id: string) => ({
  id,
  storeCode: 'LJ-001',
  channel: 'store',
  soldAt: '2026-11-28T10:00:00Z',
  items: [{ sku: 'TENIS-RUN-38-PRETO', quantity: 1, unitPrice: '1.00' }],
  total: '1.00',
});

/** One case per root field of the graph: the foreign tenant's attempt, and what it must get. */
const CASES: Record<string, Case> = {
  sale: async (h) => {
    const res = await gql(`{ sale(id: "V-BANBAN-OPEN") { id total } }`, h);
    expect(res.body.data.sale).toBeNull();
  },
  sales: async (h) => {
    const res = await gql(
      `{ all: sales(first: 200) { edges { node { id } } }
         byCustomer: sales(filter: { customerId: "${BANBAN_CUSTOMER}", storeCode: "LJ-001" }) {
           edges { node { id } } } }`,
      h,
    );
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
    const res = await gql(`mutation($i: RegisterSaleInput!) { registerSale(input: $i) { id total } }`, h, {
      i: SALE_INPUT(BANBAN_SALE),
    });
    expect(res.body.data.registerSale).toEqual({ id: BANBAN_SALE, total: '1.00' });
    const { rows } = await t.db.query(`select client_id, total::text from sales where id = $1 order by client_id`, [
      BANBAN_SALE,
    ]);
    expect(rows).toEqual([
      { client_id: 'acme', total: '1.00' },
      { client_id: 'banban', total: '309.70' },
    ]);
  },
  registerPayment: async (h) => {
    const res = await gql(
      `mutation { registerPayment(input: { id: "P-X", saleId: "V-BANBAN-OPEN", method: "pix", amount: "1.00",
       paidAt: "2026-11-28T10:00:00Z" }) { id } }`,
      h,
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_PREDECESSOR_MISSING');
  },
  registerCancellation: async (h) => {
    const res = await gql(
      `mutation { registerCancellation(input: { saleId: "V-BANBAN-OPEN", reason: "x",
       cancelledAt: "2026-11-28T10:00:00Z" }) { id } }`,
      h,
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GW_SALE_NOT_FOUND');
  },
};
const opsOnly =
  (query: string): Case =>
  async (h) => {
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
  updateClientSecurity: opsOnly(
    'mutation { updateClientSecurity(client: "banban", input: { ipAllowlist: ["0.0.0.0/0"] }) { schemes } }',
  ),
});

const codeOf = (res: Awaited<ReturnType<typeof gql>>) => res.body.errors?.[0]?.extensions?.code;
/** Refused with `code`, and no data of any root field comes back. */
const refused =
  (query: string, code: string, variables: Record<string, unknown> = {}): Case =>
  async (h) => {
    const res = await gql(query, h, variables);
    expect(codeOf(res)).toBe(code);
    expect(Object.values(res.body.data ?? {}).every((v) => v === null)).toBe(true);
  };
const AT = '2026-11-28T10:00:00Z';
const acmeRows = async (sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows;

// Inventory, purchases, transfers, returns: ERP ids of banban's, seeded through the webhook pipeline.
Object.assign(CASES, {
  stock: async (h) => {
    // both positions moved at banban (purchase, transfer; sales, adjustment, returns); never at acme
    const res = await gql(
      `{ stock(location: "CD-01", sku: "TENIS-RUN-39-PRETO") { quantity updatedAt }
         lj: stock(location: "LJ-001", sku: "MEIA-ESP-UN") { quantity updatedAt } }`,
      h,
    );
    expect(res.body.data).toEqual({ stock: { quantity: 0, updatedAt: null }, lj: { quantity: 0, updatedAt: null } });
  },
  stockLevels: async (h) => {
    const res = await gql(
      `{ all: stockLevels(first: 200) { edges { node { locationCode sku quantity } } }
         cd: stockLevels(filter: { locationCode: "CD-01" }) { edges { node { sku } } }
         below: stockLevels(filter: { belowZero: true }) { edges { node { sku } } } }`,
      h,
    );
    const own = await acmeRows(
      `select location_code as "locationCode", sku, quantity from stock_levels where client_id = 'acme' order by 1, 2`,
    );
    const seen = res.body.data.all.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => `${a.locationCode}|${a.sku}`.localeCompare(`${b.locationCode}|${b.sku}`));
    expect(seen).toEqual(own);
    expect(res.body.data.cd.edges).toEqual([]);
    expect(res.body.data.below.edges).toEqual([]);
  },
  validateMovement: async (h) => {
    // banban holds 98 of them at CD-01 (118 received, 20 shipped); acme holds none
    const res = await gql(
      `{ validateMovement(input: { locationCode: "CD-01", sku: "TENIS-RUN-38-PRETO",
       quantityDelta: -5 }) { valid available } }`,
      h,
    );
    expect(res.body.data.validateMovement).toEqual({ valid: false, available: 0 });
  },
  inventorySnapshot: async (h) => {
    const res = await gql(`{ inventorySnapshot(id: "SN-2026-11-28-LJ-001") { id lines { sku quantity } } }`, h);
    expect(res.body.data.inventorySnapshot).toBeNull();
  },
  adjustStock: async (h) => {
    // banban's adjustment id, in acme's namespace: acme's own position moves, banban's does not
    const res = await gql(
      `mutation { adjustStock(input: { id: "AJ-2026-0091", locationCode: "ACME-01", sku: "ACME-SKU", quantityDelta: 5,
       reason: "count_correction", adjustedAt: "${AT}" }) { id sku } }`,
      h,
    );
    expect(res.body.data.adjustStock).toEqual({ id: 'AJ-2026-0091', sku: 'ACME-SKU' });
    expect(await acmeRows(`select client_id from inventory_adjustments where id = 'AJ-2026-0091' order by 1`)).toEqual([
      { client_id: 'acme' },
      { client_id: 'banban' },
    ]);
  },
  takeInventorySnapshot: async (h) => {
    // banban's snapshot id, in acme's namespace: the lines are acme's own movements at LJ-001 only
    const res = await gql(
      `mutation { takeInventorySnapshot(input: { id: "SN-2026-11-28-LJ-001", locationCode: "LJ-001",
       takenAt: "2026-11-29T12:00:00Z" }) { id lines { locationCode sku quantity } } }`,
      h,
    );
    const own = await acmeRows(
      `select location_code as "locationCode", sku, sum(quantity_delta)::int as quantity from inventory_movements
        where client_id = 'acme' and location_code = 'LJ-001' and occurred_at <= '2026-11-29T12:00:00Z' group by 1, 2
        order by sku`,
    );
    const [{ n }] = await acmeRows(
      `select count(*)::int as n from inventory_snapshot_lines
        where client_id = 'banban' and snapshot_id = 'SN-2026-11-28-LJ-001'`,
    );
    expect(n).toBeGreaterThan(0); // what a leak would copy
    expect(res.body.data.takeInventorySnapshot.id).toBe('SN-2026-11-28-LJ-001');
    expect([...res.body.data.takeInventorySnapshot.lines].sort((a: any, b: any) => a.sku.localeCompare(b.sku))).toEqual(
      own,
    );
  },
  purchaseOrder: async (h) => {
    const res = await gql(
      `{ purchaseOrder(id: "PO-2026-0456") { id items { sku } } open: purchaseOrder(id: "PO-BANBAN-OPEN") { id } }`,
      h,
    );
    expect(res.body.data).toEqual({ purchaseOrder: null, open: null });
  },
  createPurchaseOrder: async (h) => {
    const res = await gql(
      `mutation { createPurchaseOrder(input: {
         id: "PO-BANBAN-2", supplier: { id: "F-ACME" }, destinationCode: "ACME-01", orderedAt: "${AT}",
         items: [{ sku: "ACME-SKU", quantity: 3, unitCost: "2.00" }] }) { id items { sku quantity } } }`,
      h,
    );
    expect(res.body.data.createPurchaseOrder).toEqual({ id: 'PO-BANBAN-2', items: [{ sku: 'ACME-SKU', quantity: 3 }] });
    expect(
      await acmeRows(`select client_id, destination_code from purchase_orders where id = 'PO-BANBAN-2' order by 1`),
    ).toEqual([
      { client_id: 'acme', destination_code: 'ACME-01' },
      { client_id: 'banban', destination_code: 'CD-01' },
    ]);
  },
  receivePurchaseDocument: refused(
    `mutation($d: FiscalDocumentInput!) { receivePurchaseDocument(input: { orderId: "PO-BANBAN-OPEN", document: $d,
     receivedAt: "${AT}", items: [{ sku: "TENIS-RUN-38-PRETO", quantity: 1 }] }) { number } }`,
    'GW_PREDECESSOR_MISSING',
    (() => {
      const d = fixture('purchase-flow', 'receive_document').data.document;
      return { d: { number: d.number, series: d.series, accessKey: d.access_key, issuedAt: d.issued_at } };
    })(),
  ),
  confirmPurchaseStock: refused(
    `mutation { confirmPurchaseStock(input: { orderId: "PO-2026-0456", documentNumber: "000123456",
     confirmedAt: "${AT}" }) { id status } }`,
    'GW_PREDECESSOR_MISSING',
  ),
  transfer: async (h) => {
    const res = await gql(
      `{ transfer(id: "TR-2026-0789") { id status } created: transfer(id: "TR-BANBAN-CREATED") { id } }`,
      h,
    );
    expect(res.body.data).toEqual({ transfer: null, created: null });
  },
  transfers: async (h) => {
    const res = await gql(`{ transfers(first: 200) { edges { node { id status originCode } } } }`, h);
    const own = await acmeRows(
      `select id, upper(status) as status, origin_code as "originCode" from transfers
        where client_id = 'acme' order by id`,
    );
    expect(
      res.body.data.transfers.edges.map((e: any) => e.node).sort((a: any, b: any) => a.id.localeCompare(b.id)),
    ).toEqual(own);
  },
  createTransfer: async (h) => {
    const res = await gql(
      `mutation { createTransfer(input: { id: "TR-BANBAN-2", originCode: "ACME-01", destinationCode: "LJ-001",
       createdAt: "${AT}", items: [{ sku: "ACME-SKU", quantity: 1 }] }) { id status originCode } }`,
      h,
    );
    expect(res.body.data.createTransfer).toEqual({ id: 'TR-BANBAN-2', status: 'CREATED', originCode: 'ACME-01' });
    expect(await acmeRows(`select client_id, origin_code from transfers where id = 'TR-BANBAN-2' order by 1`)).toEqual([
      { client_id: 'acme', origin_code: 'ACME-01' },
      { client_id: 'banban', origin_code: 'CD-01' },
    ]);
  },
  shipTransfer: refused(
    `mutation { shipTransfer(input: { transferId: "TR-BANBAN-CREATED", shippedAt: "${AT}", carrier: "x",
     trackingCode: "y" }) { id status } }`,
    'GW_PREDECESSOR_MISSING',
  ),
  receiveTransfer: refused(
    `mutation { receiveTransfer(input: { transferId: "TR-2026-0789", receivedAt: "${AT}",
     items: [{ sku: "TENIS-RUN-38-PRETO", quantity: 20 }] }) { id status } }`,
    'GW_PREDECESSOR_MISSING',
  ),
  return: async (h) => {
    const res = await gql(`{ return(id: "DV-2026-0042") { id } open: return(id: "DV-BANBAN-OPEN") { id } }`, h);
    expect(res.body.data).toEqual({ return: null, open: null });
  },
  returns: async (h) => {
    const res = await gql(`{ returns(saleId: "${BANBAN_SALE}") { id } }`, h);
    expect(res.body.data.returns).toEqual([]);
  },
  registerReturn: refused(
    `mutation { registerReturn(input: { id: "DV-ACME", saleId: "V-BANBAN-OPEN", storeCode: "LJ-001",
     returnedAt: "${AT}", items: [{ sku: "MEIA-ESP-UN", quantity: 1 }] }) { id } }`,
    'GW_PREDECESSOR_MISSING',
  ),
  processRefund: refused(
    `mutation { processRefund(input: { id: "RF-ACME", returnId: "DV-BANBAN-OPEN", method: "pix", amount: "1.00",
     refundedAt: "${AT}" }) { id } }`,
    'GW_PREDECESSOR_MISSING',
  ),
} satisfies Record<string, Case>);

// Federation: banban's entities through _entities come back null; _service is the public SDL.
Object.assign(CASES, {
  _entities: async (h) => {
    const representations = [
      { __typename: 'Sale', id: 'V-BANBAN-OPEN' },
      { __typename: 'Customer', id: BANBAN_CUSTOMER },
      { __typename: 'Product', sku: 'TENIS-RUN-39-PRETO' },
      { __typename: 'Location', code: 'CD-01' },
      { __typename: 'PurchaseOrder', id: 'PO-2026-0456' },
      { __typename: 'Transfer', id: 'TR-2026-0789' },
      { __typename: 'Return', id: 'DV-2026-0042' },
    ];
    const res = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Sale { id total }
         ... on Customer { id name } ... on Product { sku } ... on Location { code } ... on PurchaseOrder { id }
         ... on Transfer { id } ... on Return { id } } }`,
      h,
      { r: representations },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data._entities).toEqual(representations.map(() => null));
  },
  _service: async (h) => {
    const res = await gql(`{ _service { sdl } }`, h);
    const sdl: string = res.body.data._service.sdl;
    expect(sdl).toMatch(/type Sale\s+@key\(fields: "id"\)/);
    for (const datum of ['banban', BANBAN_SALE, BANBAN_CUSTOMER, 'Maria Souza']) expect(sdl).not.toContain(datum);
  },
} satisfies Record<string, Case>);

// Queue, health and metrics: banban's deliveries, breakers and figures.
Object.assign(CASES, {
  webhookEvent: async (h) => {
    const res = await gql(`query($id: ID!) { webhookEvent(id: $id) { id status } }`, h, { id: banbanEvent });
    expect(res.body.data.webhookEvent).toBeNull();
  },
  replayWebhookEvents: async (h) => {
    const named = await gql(`mutation { replayWebhookEvents(filter: { client: "banban" }) { requeued eventIds } }`, h);
    expect(codeOf(named)).toBe('GW_FORBIDDEN');
    const byId = await gql(
      `mutation($ids: [ID!]) { replayWebhookEvents(filter: { ids: $ids }) { requeued eventIds skipped } }`,
      h,
      { ids: [banbanDeadEvent] },
    );
    expect(byId.body.data.replayWebhookEvents).toEqual({ requeued: 0, eventIds: [], skipped: [] });
  },
  flowHealth: refused(`{ flowHealth(client: "banban") { status flows { flow } } }`, 'GW_FORBIDDEN'),
  integrationMetrics: refused(`{ integrationMetrics(client: "banban") { flow } }`, 'GW_FORBIDDEN'),
  integrationMetricsSeries: refused(
    `{ integrationMetricsSeries(client: "banban", flow: "sales", bucket: HOUR,
     from: "2026-11-28T00:00:00Z", to: "2026-11-30T00:00:00Z") { count } }`,
    'GW_FORBIDDEN',
  ),
  circuitBreakers: async (h) => {
    const res = await gql(`{ circuitBreakers { client name } }`, h);
    expect(res.body.data.circuitBreakers.filter((b: any) => b.client !== 'acme')).toEqual([]);
  },
} satisfies Record<string, Case>);

// Analytics: RFM and daily sales of banban's.
Object.assign(CASES, {
  customerRfm: async (h) => {
    // banban's customer has scores to steal: the ETL's snapshot (as of 2026-11-29), and the current
    // scores once the sales' reaction ran.
    const [{ n }] = await acmeRows(
      `select count(*)::int as n from rfm_snapshots where client_id = 'banban' and customer_id = $1`,
      [BANBAN_CUSTOMER],
    );
    expect(n).toBeGreaterThanOrEqual(1);
    const res = await gql(`{ customerRfm(customerId: "${BANBAN_CUSTOMER}") { segment monetary } }`, h);
    expect(res.body.data.customerRfm).toBeNull();
  },
  rfmSegments: async (h) => {
    await refused(`{ rfmSegments(client: "banban") { customers } }`, 'GW_FORBIDDEN')(h);
    const own = await gql(`{ rfmSegments { customers } }`, h);
    const [{ n }] = await acmeRows(
      `select count(distinct customer_id)::int as n from customer_rfm where client_id = 'acme'`,
    );
    expect(own.body.data.rfmSegments?.customers ?? 0).toBe(n);
  },
  rfmCustomers: async (h) => {
    await refused(
      `{ rfmCustomers(client: "banban", segment: "champions") { edges { node { customerId } } } }`,
      'GW_FORBIDDEN',
    )(h);
    const [{ segment }] = await acmeRows(
      `select segment from rfm_snapshots where client_id = 'banban' and customer_id = $1 order by as_of desc limit 1`,
      [BANBAN_CUSTOMER],
    );
    const own = await gql(
      `query($s: String!) { rfmCustomers(segment: $s, first: 200) { edges { node { customerId } } } }`,
      h,
      { s: segment },
    );
    expect(own.body.data.rfmCustomers.edges.map((e: any) => e.node.customerId)).not.toContain(BANBAN_CUSTOMER);
  },
  rfmMovement: refused(
    `{ rfmMovement(client: "banban", from: "2026-11-28", to: "2026-11-29") { customers } }`,
    'GW_FORBIDDEN',
  ),
  rebuildRfm: opsOnly('mutation { rebuildRfm(client: "banban") { customers } }'),
  dailySales: async (h) => {
    await refused(
      `{ dailySales(client: "banban", from: "2026-11-28", to: "2026-11-28") { count } }`,
      'GW_FORBIDDEN',
    )(h);
    const own = await gql(`{ dailySales(from: "2026-11-27", to: "2026-11-29") { count } }`, h);
    const [{ n }] = await acmeRows(`select count(*)::int as n from sales where client_id = 'acme'`);
    expect(own.body.data.dailySales.reduce((sum: number, d: any) => sum + d.count, 0)).toBe(n);
  },
  rules: opsOnly('{ rules(client: "banban") { id } }'),
  ruleFirings: opsOnly('{ ruleFirings(client: "banban") { id } }'),
  ruleTasks: opsOnly('{ ruleTasks(client: "banban") { id } }'),
  createRule: opsOnly(
    `mutation { createRule(input: { client: "banban", name: "stolen", eventType: SALE_REGISTERED,
      conditions: { all: [] }, actions: [] }) { id } }`,
  ),
  updateRule: opsOnly('mutation { updateRule(client: "banban", id: "1", input: { enabled: false }) { id } }'),
  setRuleEnabled: opsOnly('mutation { setRuleEnabled(client: "banban", id: "1", enabled: false) { id } }'),
  testRule: opsOnly(
    'mutation { testRule(input: { client: "banban", ruleId: "1", event: { facts: {} } }) { matched } }',
  ),
} satisfies Record<string, Case>);

// ETL: banban's run (a rebuild_rfm transformation, seeded through the etl webhook).
Object.assign(CASES, {
  etlRun: async (h) => {
    const res = await gql(`query($id: ID!) { etlRun(id: $id) { id status } }`, h, { id: banbanRun });
    expect(res.body.data.etlRun).toBeNull();
  },
  etlRuns: async (h) => {
    await refused(`{ etlRuns(client: "banban") { id } }`, 'GW_FORBIDDEN')(h);
    const own = await gql(`{ etlRuns(client: "acme") { id clientId } }`, h);
    expect(own.body.data.etlRuns.filter((r: any) => r.id === banbanRun || r.clientId !== 'acme')).toEqual([]);
  },
  cancelEtlRun: (h) =>
    refused(`mutation($id: ID!) { cancelEtlRun(id: $id) { id status } }`, 'GW_ETL_RUN_NOT_FOUND', { id: banbanRun })(h),
  retryEtlRun: (h) =>
    refused(`mutation($id: ID!) { retryEtlRun(id: $id) { id status } }`, 'GW_ETL_RUN_NOT_FOUND', { id: banbanRun })(h),
  runDailyBatch: async (h) => {
    const res = await gql(`mutation { runDailyBatch(input: { businessDate: "2026-11-28" }) { id clientId } }`, h);
    // banban's source is configured, acme's is not: refused, never run against banban's ERP
    expect(codeOf(res)).toBe('GW_ETL_UNAVAILABLE');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ details: { client: 'acme' } });
    expect(await acmeRows(`select count(*)::int as n from etl_runs where kind = 'daily_batch'`)).toEqual([{ n: 0 }]);
  },
  runDataTransformation: async (h) => {
    const res = await gql(
      `mutation { runDataTransformation(input: { transformation: "rebuild_rfm",
       params: { as_of: "2026-11-29" } }) { id clientId } }`,
      h,
    );
    expect(res.body.data.runDataTransformation.clientId).toBe('acme');
    await t.services.etl.dispatcher.idle();
    expect(
      await acmeRows(`select client_id, status from etl_runs where id = $1`, [res.body.data.runDataTransformation.id]),
    ).toEqual([{ client_id: 'acme', status: 'succeeded' }]);
  },
} satisfies Record<string, Case>);

describe('a foreign tenant (acme) against banban', () => {
  it('every query and mutation of the graph has a cross-tenant case here', () => {
    const schema = buildGatewaySchema();
    const roots = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ];
    const missing = roots.filter((f) => !(f in CASES));
    // A new root field needs its case in CASES (test/security/tenant-isolation.test.ts).
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(CASES))("%s: reads nothing and changes nothing of banban's", async (field) => {
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
    const res = await gql(
      `{ sale(id: "${BANBAN_SALE}") { total status } sales(first: 200) { edges { node { id } } } }`,
      bearer(await appToken('banban')),
    );
    expect(res.body.data.sale).toEqual({ total: '309.70', status: 'PAID' });
    expect(res.body.data.sales.edges.map((e: any) => e.node.id).sort()).toEqual([BANBAN_SALE, 'V-BANBAN-OPEN']);
  });
});
