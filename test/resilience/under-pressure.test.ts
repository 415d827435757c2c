import { eventually } from '../support/eventually';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  // A heap limit of 1 byte: the process is under pressure from its first sample on.
  t = await startTestApp({ PRESSURE_MAX_HEAP_USED_BYTES: '1', PRESSURE_RETRY_AFTER_SECONDS: '7', QUEUE_WORKERS: '0' });
});
afterAll(() => t.close());

it(
  'under pressure: other requests are shed with 503 + Retry-After; ' +
    'deliveries are stored and queued (202), not applied',
  async () => {
    const shed = await eventually(
      async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ query: '{ __typename }' }),
        });
        expect(res.statusCode).toBe(503);
        return res;
      },
      5_000,
      100,
    );
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.json().error.code).toBe('GW_OVERLOADED');

    const res = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'P-1' }));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    const { rows } = await t.db.query(`select status from webhook_events where id = $1`, [res.body.eventId]);
    expect(rows[0].status).toBe('queued');
    const { rows: sales } = await t.db.query(`select 1 from sales where id = 'P-1'`);
    expect(sales).toHaveLength(0);
  },
);
