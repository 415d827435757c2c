import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function runOf(id: string) {
  await t.services.etl.dispatcher.idle();
  const { body } = await graphql(
    t,
    `
      query ($id: ID!) {
        etlRun(id: $id) {
          id
          kind
          status
          stage
          transformation
          params
          error
          counts {
            loaded
          }
        }
      }
    `,
    { id },
  );
  return body.data.etlRun;
}

describe('data_transformation', () => {
  it('the fixture runs the real RFM rebuild as of params.as_of (202 first: the run was accepted)', async () => {
    await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    const res = await postWebhook(t, 'etl', fixture('etl', 'data_transformation'));
    expect(res.status).toBe(202);
    expect(res.body.result).toMatchObject({ kind: 'DATA_TRANSFORMATION', transformation: 'rebuild_rfm' });
    const run = await runOf(res.body.result.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', params: { as_of: '2026-11-29' } });
    const { rows } = await t.db.query(
      `select customers from rfm_runs where client_id = 'banban' and as_of = '2026-11-29'`,
    );
    expect(rows).toEqual([{ customers: 1 }]);
  });

  it("also re-scores the client's current scores: sales loaded without a reaction (as by the ETL) count", async () => {
    await t.db.transaction((tx) =>
      t.services.sales.registerSale(tx, 'banban', {
        id: 'V-ETL-ONLY',
        storeCode: 'LJ-001',
        channel: 'store',
        soldAt: new Date('2026-11-30T12:00:00Z'),
        customer: { id: 'C-ETL-ONLY' },
        items: [{ sku: 'MEIA-ESP-UN', quantity: 1, unitPrice: '19.90', discount: '0.00' }],
        total: '19.90',
      }),
    );
    const rfm = `{ customerRfm(customerId: "C-ETL-ONLY") { frequency monetary } }`;
    expect((await graphql(t, rfm)).body.data.customerRfm).toBeNull();
    const body = variant('etl', 'data_transformation', { params: { as_of: '2026-11-30' } });
    const res = await postWebhook(t, 'etl', body, { 'idempotency-key': 'rfm-current' });
    expect(await runOf(res.body.result.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect((await graphql(t, rfm)).body.data.customerRfm).toEqual({ frequency: 1, monetary: '19.90' });
  });

  it('dispatches rebuild_rfm to the RFM hook with params.as_of, and records the result', async () => {
    const calls: Array<[string, string | undefined]> = [];
    t.services.etl.useHooks({
      rebuildRfm: async (clientId, asOf) => {
        calls.push([clientId, asOf]);
        return { customers: 0 };
      },
    });
    const res = await postWebhook(t, 'etl', fixture('etl', 'data_transformation'), { 'idempotency-key': 'rfm-2' });
    expect(res.status).toBe(202);
    const run = await runOf(res.body.result.id);
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      stage: 'load',
      counts: { loaded: 1 },
      params: { as_of: '2026-11-29', result: { rebuilt: true, result: { customers: 0 } } },
    });
    expect(calls).toEqual([['banban', '2026-11-29']]);
  });

  it('refuses an unknown transformation or bad params with field paths, recording nothing', async () => {
    const unknown = await postWebhook(
      t,
      'etl',
      variant('etl', 'data_transformation', { transformation: 'drop_everything' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0]).toMatchObject({ path: 'data.transformation' });
    const badParams = await postWebhook(
      t,
      'etl',
      variant('etl', 'data_transformation', { params: { as_of: '29/11/2026' } }),
    );
    expect(badParams.status).toBe(400);
    expect(badParams.body.error.issues[0]).toMatchObject({ path: 'input.params.as_of' });
    const gql = await graphql(
      t,
      `
        mutation {
          runDataTransformation(input: { transformation: "nope" }) {
            id
          }
        }
      `,
    );
    expect(gql.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
    const { rows } = await t.db.query(`select count(*)::int as n from etl_runs`);
    expect(rows[0].n).toBe(3); // the three runs of the tests above
  });

  it('a daily batch needs a configured source; a malformed date is a 400', async () => {
    const none = await postWebhook(t, 'etl', fixture('etl', 'daily_batch'));
    expect(none.status).toBe(503);
    expect(none.body.error.code).toBe('GW_ETL_UNAVAILABLE');
    const bad = await postWebhook(t, 'etl', variant('etl', 'daily_batch', { business_date: '2026-13-01' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('data.business_date');
  });
});
