import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admin, createBenchDatabase } from './support/bench-db';
import { emitResult } from './support/report';
import { cpuMeter } from './support/cpu';
import { load, row, startServer } from './support/run';

/**
 * register_sale deliveries with distinct sale ids at 32 connections against the real gateway on
 * PostgreSQL, and in the same run a baseline Fastify route that only INSERTs the raw JSON into the
 * same database. Target: ≥ 0.6× the baseline's throughput, p99 < 25 ms.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const fixtureDir = process.env.FIXTURES_DIR ?? join(__dirname, '..', '..', 'shared', 'fixtures');
const sale = JSON.parse(readFileSync(join(fixtureDir, 'banban', 'sales-flow', 'register_sale.json'), 'utf8'));
const run = Date.now().toString(36);
const VARY = process.env.BENCH_VARY === '1';
const body = (n: number) => {
  const data = { ...sale.data, sale_id: `B-${run}-${n}` };
  if (VARY) {
    data.store_code = `LJ-${n % 50}`;
    data.items = sale.data.items.map((i: any, k: number) => ({ ...i, sku: `SKU-${(n * 7 + k * 13) % 1000}` }));
    data.customer = { ...sale.data.customer, customer_id: `C-${n % 5000}` };
  }
  return JSON.stringify({ ...sale, data });
};

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const baseline = await startServer('baseline', database.url);
    await load({ url: `http://127.0.0.1:${baseline.port}/baseline`, headers: {}, body, connections: CONNECTIONS, seconds: 2 }); // warm-up
    await admin('analyze', database.url);
    const baseCpu = cpuMeter(baseline.pid);
    const base = await load({ url: `http://127.0.0.1:${baseline.port}/baseline`, headers: {}, body, connections: CONNECTIONS, seconds: SECONDS });
    const baseMs = baseCpu.perRequest(base.total);
    await baseline.stop();

    const gateway = await startServer('gateway', database.url);
    const headers = { 'x-api-key': gateway.extra[0] };
    const url = `http://127.0.0.1:${gateway.port}/api/v1/webhooks/sales-flow`;
    await load({ url, headers, body: (n) => body(n + 10_000_000), connections: CONNECTIONS, seconds: 2 }); // warm-up
    // Steady state: the planner has statistics, as autovacuum gives any database running for more
    // than a minute (a 10 s run on a new database would otherwise be planned as if its tables were empty).
    await admin('analyze', database.url);
    const hubCpu = cpuMeter(gateway.pid);
    const hub = await load({ url, headers, body, connections: CONNECTIONS, seconds: SECONDS });
    const hubMs = hubCpu.perRequest(hub.total);
    await gateway.stop();

    // The floor: the rows the gateway must store for a sale, in one statement, with nothing else.
    const floorServer = await startServer('floor', database.url);
    const floorUrl = `http://127.0.0.1:${floorServer.port}/floor`;
    await load({ url: floorUrl, headers: {}, body: (n) => body(n + 20_000_000), connections: CONNECTIONS, seconds: 2 }); // warm-up
    const floorCpu = cpuMeter(floorServer.pid);
    const floor = await load({ url: floorUrl, headers: {}, body: (n) => body(n + 30_000_000), connections: CONNECTIONS, seconds: SECONDS });
    const floorMs = floorCpu.perRequest(floor.total);
    await floorServer.stop();

    const ratio = hub.requestsPerSec / base.requestsPerSec;
    console.log(`\nbench:webhooks — ${CONNECTIONS} connections × ${SECONDS} s, distinct sale ids, same PostgreSQL`);
    console.log(row('baseline (INSERT raw JSON)', base));
    console.log(row('gateway register_sale', hub));
    console.log(row('floor (one statement)', floor));
    const floorRatio = floor.requestsPerSec / base.requestsPerSec;
    console.log(`ratio ${ratio.toFixed(2)}× the baseline (target ≥ 0.60×); gateway p99 ${hub.p99} ms (target < 25 ms)`);
    console.log(`floor ${floorRatio.toFixed(2)}× the baseline: the sale's rows in one statement, no validation or GraphQL; the gateway reaches ${((100 * hub.requestsPerSec) / floor.requestsPerSec).toFixed(0)}% of it`);
    const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} ms`);
    console.log(`CPU per request: baseline server ${ms(baseMs.serverMs)} + PostgreSQL ${ms(baseMs.postgresMs)}; gateway ${ms(hubMs.serverMs)} + PostgreSQL ${ms(hubMs.postgresMs)}; floor ${ms(floorMs.serverMs)} + PostgreSQL ${ms(floorMs.postgresMs)}`);
    if (floor.non2xx > 0 || floor.errors > 0) console.log('WARNING: the floor route answered non-2xx or errored; its figures are not valid');
    if (hub.non2xx > 0 || hub.errors > 0) console.log('WARNING: the gateway answered non-2xx or errored; the figures are not valid');
    emitResult({
      name: 'bench:webhooks',
      figure: `${hub.requestsPerSec.toFixed(0)} req/s, p99 ${hub.p99} ms (register_sale)`,
      baseline: `${base.requestsPerSec.toFixed(0)} req/s, p99 ${base.p99} ms (INSERT raw JSON)`,
      ratio,
      target: '≥ 0.60×, p99 < 25 ms',
      pass: ratio >= 0.6 && hub.p99 < 25 && hub.non2xx === 0,
      details: { connections: CONNECTIONS, seconds: SECONDS, varied_skus: VARY, gateway: { ...hub, cpuMsPerRequest: hubMs }, baseline: { ...base, cpuMsPerRequest: baseMs }, floor: { ...floor, ratio: floorRatio, cpuMsPerRequest: floorMs } },
    });
  } finally {
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
