import { fixture } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { GatewayProcess, pool, startGatewayProcess } from '../support/gateway-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

const KEY = 'axk_worker_killed_test_key_0123456789abcd';
let database: TestDatabase;
let gateway: GatewayProcess | undefined;
// Jobs of a killed worker expire after 2 s and are picked up again (supervision every second).
const env = () => ({
  DATABASE_URL: database.url,
  DEV_API_KEY: KEY,
  QUEUE_WORKERS: '2',
  QUEUE_BATCH_SIZE: '8',
  QUEUE_EXPIRE_SECONDS: '2',
  QUEUE_SUPERVISE_INTERVAL_SECONDS: '1',
});

beforeAll(async () => {
  database = await createTestDatabase();
}, 30_000);
afterAll(async () => {
  await gateway?.kill('SIGTERM');
  await database?.drop();
});

async function scalar(sql: string): Promise<number> {
  const { rows } = await database.db.query<{ n: number }>(sql);
  return Number(rows[0].n);
}

it(
  'a worker process killed with SIGKILL mid-batch: ' + 'after a restart every stored event is applied, none twice',
  async () => {
    const N = Number(process.env.KILL_TEST_DELIVERIES ?? 200);
    // One process ingests (no workers), the other works; the worker is killed while deliveries still arrive.
    let ingest: GatewayProcess;
    [ingest, gateway] = await Promise.all([
      startGatewayProcess({ ...env(), QUEUE_WORKERS: '0' }),
      startGatewayProcess(env()),
    ]);
    const base = fixture('sales-flow', 'register_sale');
    const acked: string[] = [];
    const delivering = pool(
      Array.from({ length: N }, (_, i) => i),
      12,
      async (i) => {
        const res = await fetch(`${ingest.url}/api/v1/webhooks/sales-flow`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEY, prefer: 'respond-async' },
          body: JSON.stringify({ ...base, data: { ...base.data, sale_id: `K-${i}` } }),
        });
        expect(res.status).toBe(202);
        acked.push(((await res.json()) as { eventId: string }).eventId);
      },
    );
    await eventually(
      async () =>
        expect(
          await scalar(`select count(*) as n from webhook_events where status = 'processed'`),
        ).toBeGreaterThanOrEqual(Math.min(20, N / 10)),
      60_000,
      20,
    );
    await gateway.kill('SIGKILL');
    const processedAtKill = await scalar(`select count(*) as n from webhook_events where status = 'processed'`);
    const activeAtKill = await scalar(
      `select count(*) as n from pgboss.job where name = 'webhook-events' and state = 'active'`,
    );
    await delivering;
    expect(processedAtKill).toBeLessThan(N); // killed mid-way
    // graceful shutdown (close-with-grace): drains, stops, exits 0
    expect(await ingest.kill('SIGTERM')).toBe(0);

    gateway = await startGatewayProcess(env());
    await eventually(
      async () => expect(await scalar(`select count(*) as n from webhook_events where status = 'processed'`)).toBe(N),
      90_000,
      500,
    );
    console.log(
      `worker killed: ${processedAtKill}/${N} applied and ${activeAtKill} jobs active at SIGKILL; ` +
        `all ${N} applied after the restart`,
    );
    expect(await scalar(`select count(*) as n from webhook_events where status <> 'processed'`)).toBe(0);
    expect(
      await scalar(`select count(*) as n from webhook_events where id = any('{${acked.join(',')}}'::uuid[])`),
    ).toBe(N);
    // effects, not statuses: each sale once, its two ledger rows once, stock = -(units sold)
    expect(await scalar(`select count(*) as n from sales where id like 'K-%'`)).toBe(N);
    expect(await scalar(`select count(*) as n from inventory_movements where source_id like 'K-%'`)).toBe(2 * N);
    expect(
      await scalar(
        `select count(*) as n
           from (select source_id from inventory_movements group by source_id having count(*) <> 2) x`,
      ),
    ).toBe(0);
    expect(
      await scalar(`select -quantity as n from stock_levels where location_code = 'LJ-001' and sku = 'MEIA-ESP-UN'`),
    ).toBe(2 * N);
  },
  240_000,
);
