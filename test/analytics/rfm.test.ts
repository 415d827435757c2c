import { afterBackgroundWork } from '../support/quiet';
import { variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { opsData, opsGraphql } from '../support/ops';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A hand-checkable client as of 2026-11-28 (America/Sao_Paulo), five customers so NTILE(5) gives each
 * one score per dimension:
 *
 * | customer | purchases standing        | recency | F | M      | R F M | FM | segment         |
 * | C1       | 5 × 100.00, last 11-27    | 1       | 5 | 500.00 | 4 5 5 | 5  | Champions       |
 * | C2       | 1 × 10.00 at 11-28 22:30  | 0       | 1 | 10.00  | 5 1 1 | 1  | New Customers   |
 * | C3       | 4 × 50.00, last 10-29     | 30      | 4 | 200.00 | 3 4 3 | 4  | Loyal Customers |
 * | C4       | 3 × 100.00, last 09-29    | 60      | 3 | 300.00 | 2 3 4 | 4  | At Risk         |
 * | C5       | 2 × 40.00, last 08-30     | 90      | 2 | 80.00  | 1 2 2 | 2  | Lost            |
 *
 * C2 also has a 1000.00 sale cancelled on 11-21 (not counted) and its one purchase is at 01:30 UTC on
 * the 29th, which is still the 28th in São Paulo. C5 buys again on the 29th (after the as-of date).
 */
const PURCHASES: Array<[customer: string, soldAt: string, price: string, store?: string]> = [
  ['C1', '2026-11-27T12:00:00-03:00', '100.00', 'LJ-002'],
  ['C1', '2026-11-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-10-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-09-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-08-01T12:00:00-03:00', '100.00'],
  ['C2', '2026-11-29T01:30:00Z', '10.00'],
  ['C3', '2026-10-29T12:00:00-03:00', '50.00'],
  ['C3', '2026-10-01T12:00:00-03:00', '50.00'],
  ['C3', '2026-09-01T12:00:00-03:00', '50.00'],
  ['C3', '2026-08-01T12:00:00-03:00', '50.00'],
  ['C4', '2026-09-29T12:00:00-03:00', '100.00'],
  ['C4', '2026-09-01T12:00:00-03:00', '100.00'],
  ['C4', '2026-08-01T12:00:00-03:00', '100.00'],
  ['C5', '2026-08-30T12:00:00-03:00', '40.00'],
  ['C5', '2026-08-01T12:00:00-03:00', '40.00'],
  ['C5', '2026-11-29T12:00:00-03:00', '500.00'],
];

let t: TestApp;
let seq = 0;

async function sale(customer: string, soldAt: string, price: string, store = 'LJ-001'): Promise<string> {
  const id = `V-RFM-${++seq}`;
  const r = await postWebhook(
    t,
    'sales-flow',
    variant('sales-flow', 'register_sale', {
      sale_id: id,
      store_code: store,
      sold_at: soldAt,
      customer: { customer_id: customer },
      items: [{ sku: 'MEIA-ESP-UN', quantity: 1, unit_price: price, discount: '0.00' }],
      total: price,
    }),
  );
  expect(r.status).toBe(200);
  return id;
}

const SNAPSHOT = `query ($segment: String!, $asOf: LocalDate) {
  rfmCustomers(segment: $segment, asOf: $asOf, first: 10) {
    edges { node { customerId asOf recencyDays frequency monetary rScore fScore mScore segment } }
    pageInfo { hasNextPage }
  } }`;

beforeAll(async () => {
  t = await startTestApp();
  for (const [customer, soldAt, price, store] of PURCHASES) await sale(customer, soldAt, price, store);
  const cancelled = await sale('C2', '2026-11-20T12:00:00-03:00', '1000.00');
  const c = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: cancelled, cancelled_at: '2026-11-21T10:00:00-03:00' }));
  expect(c.status).toBe(200);
  await afterBackgroundWork(t);
});

afterAll(async () => {
  await t.close();
});

describe('RFM snapshot (one SQL pass per client)', () => {
  const expected = {
    C1: { recencyDays: 1, frequency: 5, monetary: '500.00', rScore: 4, fScore: 5, mScore: 5, segment: 'Champions' },
    C2: { recencyDays: 0, frequency: 1, monetary: '10.00', rScore: 5, fScore: 1, mScore: 1, segment: 'New Customers' },
    C3: { recencyDays: 30, frequency: 4, monetary: '200.00', rScore: 3, fScore: 4, mScore: 3, segment: 'Loyal Customers' },
    C4: { recencyDays: 60, frequency: 3, monetary: '300.00', rScore: 2, fScore: 3, mScore: 4, segment: 'At Risk' },
    C5: { recencyDays: 90, frequency: 2, monetary: '80.00', rScore: 1, fScore: 2, mScore: 2, segment: 'Lost' },
  };

  beforeAll(async () => {
    const data = await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-11-28") { clientId asOf customers durationMs } }`);
    expect(data.rebuildRfm).toMatchObject({ clientId: 'banban', asOf: '2026-11-28', customers: 5 });
    expect(data.rebuildRfm.durationMs).toBeGreaterThan(0);
  });

  it.each(Object.entries(expected))('scores %s by hand-checked quintiles and segment', async (customer, want) => {
    const r = await graphql(t, SNAPSHOT, { segment: want.segment, asOf: '2026-11-28' });
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.rfmCustomers.edges.map((e: any) => e.node);
    expect(nodes).toEqual([{ customerId: customer, asOf: '2026-11-28', ...want }]);
  });

  it('rfmSegments: count, share and averages per segment; store = the customers who bought there', async () => {
    const all = await graphql(t, `{ rfmSegments(asOf: "2026-11-28") { asOf customers segments { segment customers share avgRecencyDays avgFrequency avgMonetary } } }`);
    expect(all.body.data.rfmSegments.customers).toBe(5);
    expect(all.body.data.rfmSegments.segments).toContainEqual({
      segment: 'Champions', customers: 1, share: 0.2, avgRecencyDays: '1.00', avgFrequency: '5.00', avgMonetary: '500.00',
    });
    expect(all.body.data.rfmSegments.segments.map((s: any) => s.segment).sort()).toEqual(['At Risk', 'Champions', 'Lost', 'Loyal Customers', 'New Customers']);

    const store = await graphql(t, `{ rfmSegments(asOf: "2026-11-28", store: "lj-002") { store customers segments { segment customers share } } }`);
    expect(store.body.data.rfmSegments).toEqual({ store: 'LJ-002', customers: 1, segments: [{ segment: 'Champions', customers: 1, share: 1 }] });
  });

  it('rfmMovement: customers per (from, to) segment pair between two snapshots; new customers come from null', async () => {
    await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-10-15") { customers } }`);
    const r = await graphql(t, `{ rfmMovement(from: "2026-10-15", to: "2026-11-28") { fromSegment toSegment customers } }`);
    const moves = r.body.data.rfmMovement as Array<{ fromSegment: string | null; toSegment: string | null; customers: number }>;
    expect(moves.reduce((n, m) => n + m.customers, 0)).toBe(5);
    expect(moves).toContainEqual({ fromSegment: null, toSegment: 'New Customers', customers: 1 });
    expect(moves.filter((m) => m.fromSegment !== null).reduce((n, m) => n + m.customers, 0)).toBe(4);
  });

  it('rfmCustomers pages with a cursor (highest spend first)', async () => {
    // As of 08-01, C1, C3, C4 and C5 bought once that day (100, 50, 100, 40): R and F tie, so NTILE's
    // customer-id tie-break decides: C4 (R3, FM4) and C5 (R4, FM3) are both Loyal Customers.
    await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-08-01") { customers } }`);
    const page = `query ($a: String) { rfmCustomers(segment: "Loyal Customers", asOf: "2026-08-01", first: 1, after: $a) {
      edges { node { customerId monetary } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await graphql(t, page)).body.data.rfmCustomers;
    expect(first.edges).toEqual([{ node: { customerId: 'C4', monetary: '100.00' } }]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await graphql(t, page, { a: first.pageInfo.endCursor })).body.data.rfmCustomers;
    expect(second.edges).toEqual([{ node: { customerId: 'C5', monetary: '40.00' } }]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('an unknown snapshot date is a 404 code, not an empty answer', async () => {
    const r = await graphql(t, `{ rfmSegments(asOf: "2020-01-01") { customers } }`);
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
  });
});

describe('RFM kept current after commit', () => {
  it("re-scores a customer when their sale arrives (against the latest snapshot's bounds), without touching ingest", async () => {
    const today = (await opsData(t, `mutation { rebuildRfm(client: "banban") { asOf customers } }`)).rebuildRfm;
    expect(today.customers).toBe(5);
    const before = (await graphql(t, `{ customerRfm(customerId: "C2") { asOf frequency monetary segment } }`)).body.data.customerRfm;
    expect(before).toMatchObject({ asOf: today.asOf, frequency: 1, monetary: '10.00' });

    await sale('C2', new Date().toISOString(), '990.00');
    await afterBackgroundWork(t);
    const after = (await graphql(t, `{ customerRfm(customerId: "C2") { asOf recencyDays frequency monetary rScore fScore mScore segment } }`)).body.data.customerRfm;
    // bounds of today's snapshot: F ≥ 2 reaches quintile 2 (C5 has 2), M 1000.00 ≥ C1's 500.00+ reaches quintile 5
    expect(after).toMatchObject({ asOf: today.asOf, recencyDays: 0, frequency: 2, monetary: '1000.00', rScore: 5, mScore: 5 });
  });

  it('a cancellation re-scores the customer too', async () => {
    const id = await sale('C3', new Date().toISOString(), '70.00');
    await afterBackgroundWork(t);
    expect((await graphql(t, `{ customerRfm(customerId: "C3") { frequency monetary } }`)).body.data.customerRfm).toEqual({ frequency: 5, monetary: '270.00' });
    const c = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: id, cancelled_at: new Date().toISOString() }));
    expect(c.status).toBe(200);
    await afterBackgroundWork(t);
    expect((await graphql(t, `{ customerRfm(customerId: "C3") { frequency monetary } }`)).body.data.customerRfm).toEqual({ frequency: 4, monetary: '200.00' });
  });

  it('a new customer is scored on their first sale, and loses the current scores when it is cancelled', async () => {
    const id = await sale('C9', new Date().toISOString(), '25.00');
    await afterBackgroundWork(t);
    expect((await graphql(t, `{ customerRfm(customerId: "C9") { frequency monetary } }`)).body.data.customerRfm).toEqual({ frequency: 1, monetary: '25.00' });
    await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: id, cancelled_at: new Date().toISOString() }));
    await afterBackgroundWork(t);
    expect((await graphql(t, `{ customerRfm(customerId: "C9") { frequency } }`)).body.data.customerRfm).toBeNull();
  });

  it('rebuildRfm is ops-only: an app key is refused', async () => {
    const r = await graphql(t, `mutation { rebuildRfm(client: "banban") { customers } }`);
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });

  it('ops may rebuild any client; an unknown one is a 404 code', async () => {
    const r = await opsGraphql(t, `mutation { rebuildRfm(client: "nobody", asOf: "2026-11-28") { customers } }`);
    expect(r.errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
  });

  it('an app key cannot read another client', async () => {
    const r = await graphql(t, `{ rfmSegments(client: "other") { customers } }`);
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});
