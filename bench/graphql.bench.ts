import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createBenchDatabase } from './support/bench-db';
import { emitResult } from './support/report';

/**
 * A page of 50 sales with their items and payments through `/graphql` (Apollo + type-graphql +
 * DataLoaders) against a plain Fastify route on the same gateway instance (same hooks) that calls the
 * same repository methods and answers the same JSON, in the same run, on the same pool and data. Both
 * authenticate with the same API key and run the same queries (the server counts them).
 * Target: GraphQL ≥ 0.8× the plain route's requests per second; both must return identical data.
 */
const SALES = Number(process.env.BENCH_SALES ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET = 0.8;

const QUERY = `{ sales(first: 50) { edges { cursor node { id storeCode channel customerId soldAt status total paidAmount
  items { lineNo sku description quantity unitPrice discount lineTotal }
  payments { id method amount installments paidAt } } } pageInfo { hasNextPage endCursor } } }`;

interface Servers {
  port: number;
  key: string;
  /** The server process's CPU time so far (ms) and its query count. */
  stats(): Promise<{ cpuMs: number; queries: number }>;
  stop(): Promise<void>;
}

function startServers(databaseUrl: string): Promise<Servers> {
  // BENCH_CPU_PROF_DIR: the server process writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  // NODE_ENV=production as in a deployment: graphql-js reads it at load time (without it, every type
  // check of execution also runs its development-mode cross-realm diagnostics).
  const child = spawn(
    process.execPath,
    [...profile, '-r', '@swc-node/register', join(__dirname, 'support', 'graphql-servers.ts'), databaseUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const stats = () =>
    new Promise<{ cpuMs: number; queries: number }>((resolve) => {
      child.once('message', (m) => resolve(m as { cpuMs: number; queries: number }));
      child.send('stats');
    });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (chunk) => {
      buf += chunk;
      const m = /READY (\d+) (\S+)/.exec(buf);
      if (m)
        resolve({
          port: Number(m[1]),
          key: m[2],
          stats,
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`bench servers exited with ${code}`)));
  });
}

/** Set-based seed: SALES sales over 20 stores, 1–4 items each (of 200 products), 1–2 payments. */
async function seed(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`select setseed(0.7)`);
    await c.query(
      `insert into locations (client_id, code, kind) select 'banban', 'BL-' || g, 'store' from generate_series(1, 20) g
       on conflict do nothing`,
    );
    await c.query(
      `insert into products (client_id, sku, description)
       select 'banban', 'BSKU-' || g, 'Bench product ' || g from generate_series(1, 200) g on conflict do nothing`,
    );
    await c.query(
      `insert into sales
              (client_id, id, store_code, channel, customer_id, sold_at, total, paid_amount, status, payload_hash)
       select 'banban', 'BS-' || g, 'BL-' || (1 + g % 20), 'store', null, now() - g * interval '1 minute',
              0, 0, 'open', 'bench'
         from generate_series(1, $1::int) g`,
      [SALES],
    );
    await c.query(
      `insert into sale_items
              (client_id, sale_id, line_no, sku, description, quantity, unit_price, discount, line_total)
       select 'banban', 'BS-' || g, l, 'BSKU-' || (1 + (g * 7 + l) % 200), 'Bench product', q, p, 0, q * p
         from generate_series(1, $1::int) g, generate_series(1, 4) l,
              lateral (select 1 + floor(random() * 3)::int as q, round((10 + random() * 190)::numeric, 2) as p
                        where g > 0 and l > 0) v
        where l <= 1 + g % 4`,
      [SALES],
    );
    await c.query(
      `update sales s set total = t.sum, paid_amount = t.sum, status = 'paid'
         from (select sale_id, sum(line_total) from sale_items where client_id = 'banban' group by sale_id) t
        where s.client_id = 'banban' and s.id = t.sale_id`,
    );
    await c.query(
      `insert into payments (client_id, id, sale_id, method, amount, installments, paid_at, payload_hash)
       select 'banban', 'BP-' || s.id || '-' || k, s.id, case k when 1 then 'credit_card' else 'pix' end,
              case when n = 1 then s.total
                   else round(s.total / 2, 2) + case k when 1 then s.total - 2 * round(s.total / 2, 2) else 0 end end,
              1, s.sold_at + k * interval '1 second', 'bench'
         from (select *, 1 + (substr(id, 4)::int % 2) as n from sales where client_id = 'banban' and id like 'BS-%') s,
              generate_series(1, 2) k
        where k <= s.n`,
    );
    await c.query('commit');
    await c.query('vacuum analyze sales, sale_items, payments');
  } finally {
    await c.end();
  }
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server process CPU (user + system) per request, ms: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number;
  queriesPerRequest: number;
}

async function hammer(servers: Servers, opts: autocannon.Options, seconds: number): Promise<Figures> {
  const before = await servers.stats();
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: seconds });
  const after = await servers.stats();
  const n = Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuMsPerRequest: (after.cpuMs - before.cpuMs) / n,
    queriesPerRequest: (after.queries - before.queries) / n,
  };
}

const describe = (f: Figures) =>
  `${f.rps.toFixed(0)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ` +
  `server CPU ${f.cpuMsPerRequest.toFixed(2)} ms/req, ${f.queriesPerRequest.toFixed(1)} queries/req`;

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const servers = await startServers(database.url);
  try {
    await seed(database.url);
    const graphql: autocannon.Options = {
      url: `http://127.0.0.1:${servers.port}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': servers.key },
      body: JSON.stringify({ query: QUERY }),
    };
    // The plain route lives on the gateway's own Fastify instance (bench/support/graphql-servers.ts).
    const plain: autocannon.Options = {
      url: `http://127.0.0.1:${servers.port}/bench/sales?first=50`,
      headers: { 'x-api-key': servers.key },
    };

    // Same answer from both, or the comparison means nothing.
    const [g, p] = await Promise.all([
      fetch(graphql.url as string, {
        method: 'POST',
        headers: graphql.headers as Record<string, string>,
        body: graphql.body as string,
      }).then((r) => r.json()),
      fetch(plain.url as string, { headers: plain.headers as Record<string, string> }).then((r) => r.json()),
    ]);
    if (JSON.stringify(g) !== JSON.stringify(p))
      throw new Error(
        `the GraphQL and plain answers differ:\n${JSON.stringify(g).slice(0, 600)}\n${JSON.stringify(p).slice(0, 600)}`,
      );
    const edges = (g as { data: { sales: { edges: Array<{ node: { items: unknown[]; payments: unknown[] } }> } } }).data
      .sales.edges;
    const items = edges.reduce((n, e) => n + e.node.items.length, 0);
    const payments = edges.reduce((n, e) => n + e.node.payments.length, 0);
    console.log(
      `${SALES} sales seeded; one page: ${edges.length} sales, ` +
        `${items} items, ${payments} payments (${JSON.stringify(g).length} bytes)`,
    );

    // BENCH_PROFILE_SIDE=graphql|plain: load one side only (with BENCH_CPU_PROF_DIR, a profile of it alone).
    const side = process.env.BENCH_PROFILE_SIDE;
    if (side) {
      await hammer(servers, side === 'plain' ? plain : graphql, 2);
      console.log(`${side} only: ${describe(await hammer(servers, side === 'plain' ? plain : graphql, SECONDS))}`);
      return;
    }
    await hammer(servers, plain, 2);
    await hammer(servers, graphql, 2);
    // Alternate so neither gets the warmer machine; keep each one's best round.
    let best: { graphql?: Figures; plain?: Figures } = {};
    for (let round = 1; round <= ROUNDS; round++) {
      const pr = await hammer(servers, plain, SECONDS);
      const gr = await hammer(servers, graphql, SECONDS);
      console.log(`round ${round}: plain ${describe(pr)} | graphql ${describe(gr)}`);
      if (!best.plain || pr.rps > best.plain.rps) best = { ...best, plain: pr };
      if (!best.graphql || gr.rps > best.graphql.rps) best = { ...best, graphql: gr };
    }
    const gb = best.graphql!;
    const pb = best.plain!;
    if (gb.non2xx || gb.errors || pb.non2xx || pb.errors)
      throw new Error(`failed requests: graphql ${gb.non2xx}/${gb.errors}, plain ${pb.non2xx}/${pb.errors}`);
    const ratio = gb.rps / pb.rps;
    console.log(`plain Fastify route   ${describe(pb)}`);
    console.log(`/graphql              ${describe(gb)}`);
    console.log(
      `ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET}×), ${CONNECTIONS} connections, ` +
        `${SECONDS} s per round, ${cpus().length} cores, 1-min load average ${loadavg()[0].toFixed(1)}`,
    );
    // Throughput on a shared machine moves with the neighbours' load; CPU per request much less.
    console.log(
      `server CPU per request: plain ${pb.cpuMsPerRequest.toFixed(2)} ms, ` +
        `/graphql ${gb.cpuMsPerRequest.toFixed(2)} ms ` +
        `(plain/graphql ${(pb.cpuMsPerRequest / gb.cpuMsPerRequest).toFixed(2)}×)`,
    );
    emitResult({
      name: 'graphql',
      figure: `/graphql page of 50 sales: ${describe(gb)}`,
      baseline: `plain Fastify route, same repositories: ${describe(pb)}`,
      ratio: Number(ratio.toFixed(3)),
      target: `≥ ${TARGET.toFixed(2)}×`,
      pass: ratio >= TARGET,
      details: {
        cpuMsPerRequest: {
          graphql: Number(gb.cpuMsPerRequest.toFixed(3)),
          plain: Number(pb.cpuMsPerRequest.toFixed(3)),
        },
        loadAverage: loadavg()[0],
        sales: SALES,
        pageSales: edges.length,
        pageItems: items,
        pagePayments: payments,
        connections: CONNECTIONS,
        seconds: SECONDS,
        rounds: ROUNDS,
      },
    });
  } finally {
    await servers.stop();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
