import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admin, createBenchDatabase } from './support/bench-db';
import { emitResult } from './support/report';
import { cpuMeter } from './support/cpu';
import { load, LoadResult, row, startServer } from './support/run';

type CpuPerRequest = ReturnType<ReturnType<typeof cpuMeter>['perRequest']>;

/**
 * register_sale deliveries with distinct sale ids at 32 connections against the real gateway on
 * PostgreSQL, and in the same run a baseline Fastify route that only INSERTs the raw JSON into the
 * same database. Target: ≥ 0.6× the baseline's throughput, p99 < 25 ms.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const fixtureDir = process.env.FIXTURES_DIR ?? join(__dirname, '..', 'test', 'fixtures');
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

/**
 * BENCH_ROUNDS: the three servers are measured this many times in turn; the round with the median
 * ratio is reported.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));

interface Measured {
  result: LoadResult;
  ms: CpuPerRequest;
}

interface Round {
  baseline: Measured;
  gateway: Measured;
  floor: Measured;
  ratio: number;
}

async function measure(
  kind: 'baseline' | 'gateway' | 'floor',
  databaseUrl: string,
  path: string,
  offset: number,
  round: number,
): Promise<Measured> {
  const server = await startServer(kind, databaseUrl);
  const headers: Record<string, string> = kind === 'gateway' ? { 'x-api-key': server.extra[0] } : {};
  const url = `http://127.0.0.1:${server.port}${path}`;
  // Distinct ids in every round and warm-up: n is offset by the server kind and the round.
  const ids = (base: number) => (n: number) => body(n + base + round * 100_000_000);
  await load({ url, headers, body: ids(offset + 50_000_000), connections: CONNECTIONS, seconds: 2 }); // warm-up
  // Steady state: the planner has statistics, as autovacuum gives any database running for more
  // than a minute (a 10 s run on a new database would otherwise be planned as if its tables were empty).
  await admin('analyze', databaseUrl);
  const cpu = cpuMeter(server.pid);
  const result = await load({ url, headers, body: ids(offset), connections: CONNECTIONS, seconds: SECONDS });
  const ms = cpu.perRequest(result.total);
  await server.stop();
  return { result, ms };
}

async function round(databaseUrl: string, n: number): Promise<Round> {
  const baseline = await measure('baseline', databaseUrl, '/baseline', 0, n);
  const gateway = await measure('gateway', databaseUrl, '/api/v1/webhooks/sales-flow', 10_000_000, n);
  // The floor: the rows the gateway must store for a sale, in one statement, with nothing else.
  const floor = await measure('floor', databaseUrl, '/floor', 30_000_000, n);
  return { baseline, gateway, floor, ratio: gateway.result.requestsPerSec / baseline.result.requestsPerSec };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const rounds: Round[] = [];
    for (let n = 0; n < ROUNDS; n++) rounds.push(await round(database.url, n));
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)];
    const { ratio } = median;
    const [base, hub, floor] = [median.baseline.result, median.gateway.result, median.floor.result];
    const [baseMs, hubMs, floorMs] = [median.baseline.ms, median.gateway.ms, median.floor.ms];

    console.log(
      `\nbench:webhooks — ${CONNECTIONS} connections × ${SECONDS} s, distinct sale ids, ` +
        `same PostgreSQL${ROUNDS > 1 ? `, the median of ${ROUNDS} rounds` : ''}`,
    );
    if (ROUNDS > 1) console.log(`rounds (gateway/baseline): ${rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ')}`);
    console.log(row('baseline (INSERT raw JSON)', base));
    console.log(row('gateway register_sale', hub));
    console.log(row('floor (one statement)', floor));
    const floorRatio = floor.requestsPerSec / base.requestsPerSec;
    console.log(`ratio ${ratio.toFixed(2)}× the baseline (target ≥ 0.60×); gateway p99 ${hub.p99} ms (target < 25 ms)`);
    console.log(
      `floor ${floorRatio.toFixed(2)}× the baseline: the sale's rows in one statement, no validation or GraphQL; ` +
        `the gateway reaches ${((100 * hub.requestsPerSec) / floor.requestsPerSec).toFixed(0)}% of it`,
    );
    const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} ms`);
    console.log(
      `CPU per request: baseline server ${ms(baseMs.serverMs)} + PostgreSQL ${ms(baseMs.postgresMs)}; ` +
        `gateway ${ms(hubMs.serverMs)} + PostgreSQL ${ms(hubMs.postgresMs)}; ` +
        `floor ${ms(floorMs.serverMs)} + PostgreSQL ${ms(floorMs.postgresMs)}`,
    );
    if (rounds.some((r) => r.floor.result.non2xx > 0 || r.floor.result.errors > 0))
      console.log('WARNING: the floor route answered non-2xx or errored; its figures are not valid');
    if (rounds.some((r) => r.gateway.result.non2xx > 0 || r.gateway.result.errors > 0))
      console.log('WARNING: the gateway answered non-2xx or errored; the figures are not valid');
    emitResult({
      name: 'bench:webhooks',
      figure: `${hub.requestsPerSec.toFixed(0)} req/s, p99 ${hub.p99} ms (register_sale)`,
      baseline: `${base.requestsPerSec.toFixed(0)} req/s, p99 ${base.p99} ms (INSERT raw JSON)`,
      ratio,
      target: '≥ 0.60×, p99 < 25 ms',
      pass: ratio >= 0.6 && hub.p99 < 25 && rounds.every((r) => r.gateway.result.non2xx === 0),
      details: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        varied_skus: VARY,
        rounds: rounds.map((r) => Number(r.ratio.toFixed(3))),
        gateway: { ...hub, cpuMsPerRequest: hubMs },
        baseline: { ...base, cpuMsPerRequest: baseMs },
        floor: { ...floor, ratio: floorRatio, cpuMsPerRequest: floorMs },
      },
    });
  } finally {
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
