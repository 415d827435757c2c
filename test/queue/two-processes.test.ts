import { fixture } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { GatewayProcess, pool, startGatewayProcess } from '../support/gateway-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

const KEY = 'axk_two_process_test_key_0123456789abcdef';
let database: TestDatabase;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    DEV_API_KEY: KEY,
    QUEUE_WORKERS: '2',
    QUEUE_BATCH_SIZE: '8',
    DATABASE_POOL_MAX: '12',
  };
  gateways.push(...(await Promise.all([startGatewayProcess(env), startGatewayProcess(env)])));
}, 90_000);
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.kill('SIGTERM')));
  await database?.drop();
});

async function post(g: GatewayProcess, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${g.url}/api/v1/webhooks/sales-flow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, prefer: 'respond-async' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function scalar(sql: string): Promise<number> {
  const { rows } = await database.db.query<{ n: number }>(sql);
  return Number(rows[0].n);
}

it('2,000 async deliveries spread over two gateway processes: every event applied exactly once', async () => {
  // TWO_PROCESS_DELIVERIES changes the count (e.g. a quick local run).
  const SALES = Math.round((Number(process.env.TWO_PROCESS_DELIVERIES ?? 2000) * 3) / 4);
  const t0 = Date.now();
  const base = fixture('sales-flow', 'register_sale');
  const pay = fixture('sales-flow', 'register_payment');
  const deliveries: unknown[] = [];
  const acked: string[] = [];
  await pool(
    Array.from({ length: SALES }, (_, i) => i),
    24,
    async (i) => {
      const saleId = `MP-${i}`;
      const a = await post(gateways[i % 2], { ...base, data: { ...base.data, sale_id: saleId } });
      expect(a.status).toBe(202);
      acked.push(a.body.eventId);
      deliveries.push(saleId);
      if (i % 3 === 0) {
        // the payment goes to the other process, right after its sale was acknowledged
        const b = await post(gateways[(i + 1) % 2], {
          ...pay,
          data: { ...pay.data, sale_id: saleId, payment_id: `MPP-${i}` },
        });
        expect(b.status).toBe(202);
        acked.push(b.body.eventId);
      }
    },
  );
  const TOTAL = SALES + Math.ceil(SALES / 3);
  expect(acked).toHaveLength(TOTAL);
  expect(new Set(acked).size).toBe(TOTAL);
  const ingested = Date.now() - t0;
  await eventually(
    async () => expect(await scalar(`select count(*) as n from webhook_events where status = 'processed'`)).toBe(TOTAL),
    100_000,
    500,
  );
  console.log(`two processes: ${TOTAL} deliveries acked in ${ingested} ms, all applied after ${Date.now() - t0} ms`);
  expect(await scalar(`select count(*) as n from webhook_events where status <> 'processed'`)).toBe(0);
  // effects, not only statuses: one sale per sale event, one payment per payment event, two ledger rows per sale
  expect(await scalar(`select count(*) as n from sales where id like 'MP-%'`)).toBe(SALES);
  expect(await scalar(`select count(*) as n from payments where id like 'MPP-%'`)).toBe(Math.ceil(SALES / 3));
  expect(await scalar(`select count(*) as n from sales where id like 'MP-%' and status = 'paid'`)).toBe(
    Math.ceil(SALES / 3),
  );
  expect(await scalar(`select count(*) as n from inventory_movements where source_id like 'MP-%'`)).toBe(SALES * 2);
  expect(
    await scalar(
      `select count(*) as n from (select source_id from inventory_movements group by source_id having count(*) <> 2) x`,
    ),
  ).toBe(0);
  // no event was applied by two jobs (whichever instance ran them)
  expect(
    await scalar(
      `select count(*) - count(distinct data->>'eventId') as n from pgboss.job where name = 'webhook-events'
       and output->>'outcome' = 'processed'`,
    ),
  ).toBe(0);
}, 240_000);
