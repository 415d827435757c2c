import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { eventually } from '../support/eventually';
import { variant } from '../support/fixtures';
import { EmbeddedPgProcess, freePort, startEmbeddedPgProcess } from '../support/gateway-process';
import { bearer, JWT_ENV, opsToken } from '../security/tokens';

/** A throwaway PostgreSQL of its own, so the test can stop it under a running gateway. */
let dir: string;
let port: number;
let pg: EmbeddedPgProcess | undefined;
let db: Database;
let app: Awaited<ReturnType<typeof buildApp>>;
let key: string;
let unusedKey: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'axon-outage-pg-'));
  chmodSync(dir, 0o755);
  port = await freePort();
  pg = await startEmbeddedPgProcess(join(dir, 'data'), port);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: pg.url,
    ...JWT_ENV, // health during the outage is read with an ops JWT: API keys are checked against the store
    QUEUE_WORKERS: '2',
    POLICY_TIMEOUT_MS: '3000',
    POLICY_RETRY_ATTEMPTS: '1',
    BREAKER_HALF_OPEN_AFTER_MS: '1000',
    QUEUE_EXPIRE_SECONDS: '3',
    QUEUE_SUPERVISE_INTERVAL_SECONDS: '1',
  });
  db = new Database({ connectionString: pg.url, max: 10 });
  await migrate(db);
  app = await buildApp({ config, db });
  await bootstrapClients(db, app.services, config, app.server.log);
  key = (await app.services.apiKeys.issue({ clientId: 'banban', name: 'outage' })).key;
  unusedKey = (await app.services.apiKeys.issue({ clientId: 'banban', name: 'never-used' })).key;
  await app.server.ready();
}, 120_000);

afterAll(async () => {
  await app?.server.close();
  await db?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Result = { status: number; retryAfter?: string; eventId?: string; saleId: string; async: boolean };

async function deliver(n: number, phase: string): Promise<Result[]> {
  const out: Result[] = [];
  for (let i = 0; i < n; i++) {
    const saleId = `${phase}-${i}`;
    const isAsync = i % 2 === 0;
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/webhooks/sales-flow',
      headers: { 'content-type': 'application/json', 'x-api-key': key, ...(isAsync && { prefer: 'respond-async' }) },
      payload: JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: saleId })),
    });
    out.push({
      status: res.statusCode,
      retryAfter: res.headers['retry-after'] as string | undefined,
      eventId: res.json().eventId,
      saleId,
      async: isAsync,
    });
  }
  return out;
}

it(
  'Postgres stopped during deliveries: only 503s (with Retry-After) ' +
    'while down; every 2xx-acked event is there afterwards',
  async () => {
    const before = await deliver(10, 'UP');
    expect(before.every((r) => r.status === 200 || r.status === 202)).toBe(true);

    await pg!.stop();
    pg = undefined;
    const down = await deliver(12, 'DOWN');
    expect(down.map((r) => r.status)).toEqual(down.map(() => 503));
    expect(down.every((r) => r.retryAfter !== undefined)).toBe(true);
    const health = await app.server.inject({
      method: 'GET',
      url: '/health/integrations/banban',
      headers: bearer(await opsToken()),
    });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'down', store: 'down', flows: { sales: { status: 'down' } } });
    // a key this instance has not verified lately cannot be checked without the store: a coded 503,
    // not a 401 and not a 500
    const byKey = await app.server.inject({
      method: 'GET',
      url: '/health/integrations/banban',
      headers: { 'x-api-key': unusedKey },
    });
    expect([byKey.statusCode, byKey.json().error.code]).toEqual([503, 'GW_STORE_UNAVAILABLE']);
    // the key just used for deliveries is still trusted (API_KEY_CACHE_SECONDS): its caller sees the outage itself
    const byCachedKey = await app.server.inject({
      method: 'GET',
      url: '/health/integrations/banban',
      headers: { 'x-api-key': key },
    });
    expect(byCachedKey.statusCode).toBe(503);
    expect(byCachedKey.json()).toMatchObject({ status: 'down', store: 'down' });

    pg = await startEmbeddedPgProcess(join(dir, 'data'), port);
    // The first deliveries may still meet the reconnecting pool or an open breaker (then 202: stored, queued).
    const after = await eventually(
      async () => {
        const r = await deliver(10, `AFTER${Date.now()}`);
        expect(r.every((x) => x.status === 200 || x.status === 202)).toBe(true);
        return r;
      },
      30_000,
      500,
    );

    const acked = [...before, ...after].filter((r) => r.status === 200 || r.status === 202);
    await eventually(
      async () => {
        const { rows } = await db.query<{ id: string; status: string }>(
          `select id, status from webhook_events where id = any($1::uuid[])`,
          [acked.map((r) => r.eventId)],
        );
        expect(rows).toHaveLength(acked.length);
        expect(rows.filter((r) => r.status !== 'processed')).toEqual([]);
      },
      30_000,
      300,
    );
    const { rows: sales } = await db.query<{ id: string }>(`select id from sales where id = any($1::text[])`, [
      acked.map((r) => r.saleId),
    ]);
    expect(sales.map((s) => s.id).sort()).toEqual(acked.map((r) => r.saleId).sort());
    const { rows: refused } = await db.query(`select id from sales where id like 'DOWN-%'`);
    expect(refused).toEqual([]);
  },
  180_000,
);
