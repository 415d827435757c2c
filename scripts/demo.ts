import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { SignJWT } from 'jose';
import { buildApp } from '../src/app';
import { bootstrapClients } from '../src/clients/bootstrap';
import { CLIENTS } from '../src/clients/registry';
import { loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';

/**
 * `npm run demo`: the gateway on the embedded PostgreSQL (DATABASE_URL when set), like `npm start`,
 * then a compressed day of Banban traffic over real HTTP across the six flows — duplicates, a
 * payment before its sale, a late sale after its payment was dead-lettered, refused payloads and a
 * failing connector whose breaker opens — and a link to the ops console with an ops token.
 * Demo-only settings go into this process's environment (never the config defaults); loadConfig()
 * reads the environment when called, below.
 */
process.env.JWT_SECRET ??= 'axon-demo-only-jwt-secret-change-me-0123456789';
process.env.RATE_LIMIT_ENABLED ??= 'false';
process.env.LOG_LEVEL ??= 'warn';

const PACE_MS = Number(process.env.DEMO_PACE_MS ?? 120);
const SALES = Number(process.env.DEMO_SALES ?? 40);
const FIXTURES = process.env.FIXTURES_DIR ?? join(__dirname, '..', 'test', 'fixtures');
const RUN = Date.now().toString(36).toUpperCase();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Data = Record<string, unknown>;
function fixture(flow: string, action: string): { action: string; data: Data } {
  return JSON.parse(readFileSync(join(FIXTURES, 'banban', flow, `${action}.json`), 'utf8'));
}
function event(flow: string, action: string, patch: Data): { action: string; data: Data } {
  const f = fixture(flow, action);
  return { action: f.action, data: { ...f.data, ...patch } };
}

/**
 * `minutes` after 09:00 of yesterday in São Paulo (UTC−3): the whole business day is in the past
 * whenever the demo runs, and the same time is the same text (an ERP's resend is byte for byte).
 */
function at(minutes: number): string {
  const saoPaulo = new Date(Date.now() - 3 * 3_600_000);
  // 09:00 −03:00
  const nineAm = Date.UTC(saoPaulo.getUTCFullYear(), saoPaulo.getUTCMonth(), saoPaulo.getUTCDate() - 1, 12, 0, 0);
  return new Date(nineAm + minutes * 60_000).toISOString();
}

async function main(): Promise<void> {
  // Short retries so the orphan payment reaches the dead letters while you watch.
  CLIENTS.banban.retry = { maxAttempts: 3, initialDelaySeconds: 2, maxDelaySeconds: 4 };

  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
  if (embedded) for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  const db = new Database({
    connectionString: config.databaseUrl ?? embedded!.url,
    max: config.databasePoolMax,
    ssl: config.databaseSsl,
    preparedStatements: config.databasePreparedStatements,
    connectTimeoutMs: config.databaseTimeouts.connectMs,
    statementTimeoutMs: config.databaseTimeouts.statementMs,
  });
  const { server, services } = await buildApp({ config, db });
  await migrate(db);
  await bootstrapClients(db, services, config, server.log);
  closeWithGrace({ delay: config.shutdownGraceMs }, async () => {
    await server.close();
    await db.close();
    await embedded?.stop();
  });
  await server.listen({ host: config.host, port: config.port });
  const port = (server.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;

  const { key } = await services.apiKeys.issue({ clientId: 'banban', name: `demo-${RUN}` });
  const jwt = config.security.jwt;
  let token = new SignJWT({ hub_role: 'ops', client_id: 'banban' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('demo-ops')
    .setIssuedAt()
    .setExpirationTime('12h');
  if (jwt.issuer) token = token.setIssuer(jwt.issuer);
  if (jwt.audience) token = token.setAudience(Array.isArray(jwt.audience) ? jwt.audience[0] : jwt.audience);
  const opsToken = await token.sign(new TextEncoder().encode(jwt.secret!));
  console.log(
    `\nAxon demo gateway on ${base}\n\n` +
      `  Ops console: ${base}/ops/#token=${opsToken}\n\n` +
      `  GraphQL: ${base}/graphql (x-api-key: ${key})\n`,
  );
  // The ops endpoints take the same ops token (or, for /metrics, METRICS_TOKEN); the probes are open.
  console.log(
    '  Health and metrics (ops only):\n' +
      `    export OPS_TOKEN=${opsToken}\n` +
      `    curl -s ${base}/health/integrations/banban -H "authorization: Bearer $OPS_TOKEN"\n` +
      `    curl -s ${base}/metrics -H "authorization: Bearer $OPS_TOKEN"\n`,
  );

  const tally = new Map<number, number>();
  async function post(
    flow: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}/api/v1/webhooks/${flow}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
    await sleep(PACE_MS);
    return { status: res.status, body: await res.json() };
  }
  const say = (m: string) => console.log(`[demo] ${m}`);

  say('07:00 a purchase order arrives at the distribution centre and is received');
  const po = `PO-${RUN}`;
  await post('purchase-flow', event('purchase-flow', 'create_order', { order_id: po, created_at: at(-120) }));
  // The fiscal document (NF-e) as in the contract: its access key encodes its number, so it is reused as is.
  await post('purchase-flow', event('purchase-flow', 'receive_document', { order_id: po, received_at: at(-90) }));
  await post('purchase-flow', event('purchase-flow', 'confirm_stock', { order_id: po, confirmed_at: at(-80) }));

  say('08:00 stock moves to the store');
  const tr = `TR-${RUN}`;
  await post('transfer-flow', event('transfer-flow', 'create_transfer', { transfer_id: tr, created_at: at(-60) }));
  await post('transfer-flow', event('transfer-flow', 'ship_products', { transfer_id: tr, shipped_at: at(-50) }));
  const receipt = event('transfer-flow', 'receive_at_store', { transfer_id: tr, received_at: at(-10) });
  const received = await post('transfer-flow', receipt);
  await post('transfer-flow', receipt); // the ERP resends: a duplicate
  if (received.status >= 400) say(`  receive_at_store answered ${received.status} ${received.body.error?.code ?? ''}`);

  say(`09:00–18:00 ${SALES} sales with payments; resends, a payment before its sale, cancellations`);
  for (let i = 1; i <= SALES; i++) {
    const saleId = `V-${RUN}-${String(i).padStart(4, '0')}`;
    const soldAt = at(i * Math.floor(540 / SALES));
    const sale = event('sales-flow', 'register_sale', {
      sale_id: saleId,
      sold_at: soldAt,
      customer: { customer_id: `C-${(i * 37) % 25}`, name: `Cliente ${i}` },
    });
    const payment = event('sales-flow', 'register_payment', {
      sale_id: saleId,
      payment_id: `P-${RUN}-${i}`,
      paid_at: new Date(Date.parse(soldAt) + 60_000).toISOString(),
      method: i % 3 ? 'credit_card' : 'pix',
    });
    if (i % 9 === 0) {
      // out of order: the payment overtakes its sale; the queue parks it until the sale is in
      await post('sales-flow', payment, { prefer: 'respond-async' });
      await post('sales-flow', sale);
    } else {
      await post('sales-flow', sale);
      if (i % 7 === 0) await post('sales-flow', sale); // resent by the ERP: recorded as a duplicate
      await post('sales-flow', payment);
    }
    if (i % 11 === 0)
      await post(
        'sales-flow',
        event('sales-flow', 'register_cancellation', {
          sale_id: saleId,
          cancelled_at: new Date(Date.parse(soldAt) + 120_000).toISOString(),
        }),
      );
    if (i % 13 === 0)
      // malformed: refused with 400
      await post('sales-flow', event('sales-flow', 'register_sale', { sale_id: `${saleId}-X`, total: 'lots' }));
    if (i % 10 === 0) {
      await post('inventory-flow', event('inventory-flow', 'validate_movement', { quantity_delta: -(i % 4) - 1 }));
      // a recount finds pairs the system missed; a removal beyond the stock would be refused (422)
      await post(
        'inventory-flow',
        event('inventory-flow', 'adjust_stock', {
          adjustment_id: `AJ-${RUN}-${i}`,
          sku: 'TENIS-RUN-38-PRETO',
          quantity_delta: 2,
          reason: 'recount',
          adjusted_at: soldAt,
        }),
      );
    }
  }

  say(
    'a payment whose sale the ERP has not sent: retried, ' +
      'then dead-lettered (replay it from the console once the sale is in)',
  );
  const orphanSale = `V-${RUN}-LATE`;
  const orphan = await post(
    'sales-flow',
    event('sales-flow', 'register_payment', { sale_id: orphanSale, payment_id: `P-${RUN}-LATE`, paid_at: at(500) }),
    { prefer: 'respond-async' },
  );

  say('15:00 a customer returns an item and is refunded');
  const first = `V-${RUN}-0001`;
  await post(
    'returns-flow',
    event('returns-flow', 'register_return', { return_id: `DV-${RUN}`, sale_id: first, returned_at: at(360) }),
  );
  await post(
    'returns-flow',
    event('returns-flow', 'process_refund', { return_id: `DV-${RUN}`, refund_id: `RF-${RUN}`, refunded_at: at(365) }),
  );

  say('16:00 the ERP database connector fails: its breaker opens (watch the Breakers table)');
  const connector = services.policies.forConnector('banban', 'erp-db');
  for (let i = 0; i < 8; i++) {
    await connector
      .execute(() => fetch('http://127.0.0.1:9/', { signal: AbortSignal.timeout(500) }))
      .catch(() => undefined);
  }
  say(`  connector:erp-db is ${connector.state}`);

  say('23:59 end of day: stock snapshot, RFM rebuild');
  await post(
    'inventory-flow',
    event('inventory-flow', 'take_snapshot', { snapshot_id: `SN-${RUN}`, taken_at: at(899) }),
  );
  await post('etl', event('etl', 'data_transformation', { params: { as_of: new Date().toISOString().slice(0, 10) } }));

  await sleep(12_000);
  const { rows } = await db.query<{ status: string }>(`select status from webhook_events where id = $1`, [
    orphan.body.eventId,
  ]);
  say(`the orphan payment ${orphan.body.eventId} is ${rows[0]?.status}; its sale arrives late now`);
  await post('sales-flow', event('sales-flow', 'register_sale', { sale_id: orphanSale, sold_at: at(499) }));

  console.log(
    `\n[demo] HTTP answers: ${[...tally]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(', ')}`,
  );
  console.log(
    '[demo] open the console, replay the dead payment, and watch it turn processed:\n' +
      `  ${base}/ops/#token=${opsToken}\n`,
  );
  if (process.env.DEMO_EXIT === '1') {
    await server.close();
    await db.close();
    await embedded?.stop();
    process.exit(0);
  }
  console.log('[demo] the gateway keeps running; Ctrl-C to stop');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
