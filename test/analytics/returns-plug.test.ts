import { afterBackgroundWork } from '../support/quiet';
import { variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { opsData } from '../support/ops';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Returns plug into RFM (monetary) and daily sales as one LEFT JOIN on the returns flow's `returns`
 * table (created by its migration); the row is inserted directly, without the returns flow.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ METRICS_AGGREGATE_INTERVAL_SECONDS: '0' });
  const r = await postWebhook(
    t,
    'sales-flow',
    variant('sales-flow', 'register_sale', { sale_id: 'V-RET', sold_at: '2026-11-20T12:00:00-03:00' }),
  );
  expect(r.status).toBe(200);
  await t.db.query(
    `insert into returns (client_id, id, sale_id, store_code, returned_at, value, payload_hash)
     values ('banban', 'DV-1', 'V-RET', 'LJ-001', '2026-11-28T10:00:00-03:00', 19.90, 'x')`,
  );
  await afterBackgroundWork(t);
});

afterAll(async () => {
  await t.close();
});

it('monetary is net of returns made by the as-of date', async () => {
  await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-11-27") { customers } }`);
  await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-11-28") { customers } }`);
  const q = `query ($d: LocalDate) {
    rfmCustomers(segment: "Lost", asOf: $d) { edges { node { customerId monetary } } } }`;
  // one customer: NTILE(5) over one row gives 1, 1, 1 → Lost on both dates
  expect((await graphql(t, q, { d: '2026-11-27' })).body.data.rfmCustomers.edges).toEqual([
    { node: { customerId: 'C-000077', monetary: '309.70' } },
  ]);
  expect((await graphql(t, q, { d: '2026-11-28' })).body.data.rfmCustomers.edges).toEqual([
    { node: { customerId: 'C-000077', monetary: '289.80' } },
  ]);
});

it('dailySales counts returns on the day they were made, at their store', async () => {
  const r = await graphql(
    t,
    `
      {
        dailySales(from: "2026-11-28", to: "2026-11-28", store: "LJ-001") {
          day
          count
          returns
          net
        }
      }
    `,
  );
  expect(r.body.data.dailySales).toEqual([{ day: '2026-11-28', count: 0, returns: '19.90', net: '-19.90' }]);
});
