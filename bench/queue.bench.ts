/**
 * Async ingest vs the synchronous path, in one run against a real server on a real Postgres.
 *   npm run bench:queue                      (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local test server)
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=16 npm run bench:queue
 * Prints requests/s and latency of both paths, the async path's end-to-end lag (received →
 * processed, from the stored events) and the ratio async/sync.
 */
import { emitResult } from './support/report';
import { admin as adminOn, withDatabase } from './support/bench-db';
import 'reflect-metadata';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../src/app';
import { bootstrapClients } from '../src/clients/bootstrap';
import { loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';

const SERVER =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const FIXTURES = process.env.FIXTURES_DIR ?? join(__dirname, '..', 'test', 'fixtures');
const sale = JSON.parse(readFileSync(join(FIXTURES, 'banban', 'sales-flow', 'register_sale.json'), 'utf8'));

async function run(url: string, key: string, prefix: string, headers: Record<string, string>) {
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/v1/webhooks/sales-flow`,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ ...sale, data: { ...sale.data, sale_id: `${prefix}-${n++}` } }),
        }),
      },
    ],
  });
  return result;
}

const admin = (sql: string) => adminOn(sql, SERVER);

async function main(): Promise<void> {
  const name = `axon_bench_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const db = new Database({ connectionString: withDatabase(SERVER, name), max: 20 });
  try {
    await migrate(db);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: withDatabase(SERVER, name) });
    const { server, services } = await buildApp({ config, db });
    await bootstrapClients(db, services, config, server.log);
    const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'bench' });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });

    const sync = await run(url, key, 'SYNC', {});
    const asyncStarted = Date.now();
    const queued = await run(url, key, 'ASYNC', { prefer: 'respond-async' });
    const acked = queued['2xx'];
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from webhook_events where status = 'queued'`,
      );
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainedMs = Date.now() - asyncStarted;
    const { rows } = await db.query<{ n: number; p50: number; p99: number }>(
      `select count(*)::int as n,
              percentile_cont(0.5) within group (order by extract(epoch from processed_at - received_at) * 1000) as p50,
              percentile_cont(0.99) within group (order by extract(epoch from processed_at - received_at) * 1000) as p99
         from webhook_events where action = 'register_sale' and business_id like 'ASYNC-%' and status = 'processed'`,
    );
    const lag = rows[0];
    const line = (label: string, r: autocannon.Result) =>
      `${label.padEnd(6)} ${String(r['2xx']).padStart(6)} acked  ${r.requests.average.toFixed(0).padStart(5)} req/s  ` +
      `latency p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;
    console.log(
      `\nbench:queue — ${SECONDS}s × ${CONNECTIONS} connections per path, register_sale, ` +
        `one server on ${new URL(SERVER).host}`,
    );
    console.log(line('sync', sync));
    console.log(line('async', queued));
    console.log(
      `async  end-to-end lag (received → processed): ` +
        `p50 ${Number(lag.p50).toFixed(1)} ms  p99 ${Number(lag.p99).toFixed(1)} ms  ` +
        `(${lag.n}/${acked} applied; queue drained ${drainedMs} ms after the async run started)`,
    );
    console.log(
      `ratio  async/sync ingest throughput: ${(queued.requests.average / sync.requests.average).toFixed(2)}×`,
    );
    console.log(
      '       async applied throughput: ' +
        `${((lag.n / drainedMs) * 1000).toFixed(0)} events/s vs sync ${sync.requests.average.toFixed(0)} events/s`,
    );
    emitResult({
      name: 'bench:queue',
      figure:
        `async ingest ${queued.requests.average.toFixed(0)} req/s; ` +
        `lag p50 ${Number(lag.p50).toFixed(0)} ms, p99 ${Number(lag.p99).toFixed(0)} ms`,
      baseline: `sync path ${sync.requests.average.toFixed(0)} req/s, p99 ${sync.latency.p99} ms`,
      ratio: queued.requests.average / sync.requests.average,
      target: 'async ingest ≥ sync (no target in the issue)',
      pass: queued.requests.average >= sync.requests.average,
      details: { seconds: SECONDS, connections: CONNECTIONS, lag },
    });
    await server.close();
  } finally {
    await db.close().catch(() => undefined);
    await admin(`drop database if exists ${name} with (force)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
