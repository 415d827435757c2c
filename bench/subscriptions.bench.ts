import { createClient } from 'graphql-ws';
import { startServer as startBenchServer } from './support/run';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createBenchDatabase } from './support/bench-db';
import { emitResult } from './support/report';

/**
 * 1,000 graphql-ws subscribers of webhookProcessed on the real gateway (PostgreSQL underneath);
 * register_sale deliveries are posted one every INTERVAL ms and each subscriber's delivery latency
 * is measured (publish time → receipt). In the same run, the same number of plain `ws` sockets
 * receive the same kind of message from a bare broadcast: the floor for any live feed on this
 * machine. Target: gateway p99 < 100 ms, every event delivered to every subscriber.
 */
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 200);
const TARGET_P99_MS = 100;
const fixtureDir = process.env.FIXTURES_DIR ?? join(__dirname, '..', '..', 'shared', 'fixtures');
const sale = JSON.parse(readFileSync(join(fixtureDir, 'banban', 'sales-flow', 'register_sale.json'), 'utf8'));
const run = Date.now().toString(36);

interface Receipt {
  id: string;
  latencyMs: number;
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  expected: number;
}

/** Wall-clock time with sub-millisecond resolution (comparable across processes on one machine). */
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startServer = (kind: 'gateway' | 'baseline', databaseUrl: string) => startBenchServer(kind, databaseUrl, 'subscriptions-servers.ts');

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ eventId: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { eventId: string };
}

/**
 * Subscribes, warms up until every subscriber has received an event, then publishes EVENTS
 * events and returns the latencies of the measured ones.
 */
async function measure(subscribe: (onEvent: (subscriber: number, id: string, at: string) => void) => Promise<() => Promise<void>>, publish: (n: number) => Promise<string>): Promise<Figures> {
  const receipts: Receipt[] = [];
  const warm = new Set<number>();
  const close = await subscribe((subscriber, id, at) => {
    receipts.push({ id, latencyMs: wallNow() - Date.parse(at) });
    warm.add(subscriber);
  });
  try {
    const deadline = Date.now() + 60_000;
    for (let n = 0; warm.size < SUBSCRIBERS; n++) {
      if (Date.now() > deadline) throw new Error(`only ${warm.size} of ${SUBSCRIBERS} subscribers live after 60 s`);
      await publish(-1 - n);
      await sleep(250);
    }
    await sleep(500);
    const measured = new Set<string>();
    for (let n = 0; n < EVENTS; n++) {
      measured.add(await publish(n));
      await sleep(INTERVAL_MS);
    }
    await sleep(1000);
    const latencies = receipts.filter((r) => measured.has(r.id)).map((r) => r.latencyMs).sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * (latencies.length - 1)))] ?? NaN;
    return { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN, delivered: latencies.length, expected: SUBSCRIBERS * EVENTS };
  } finally {
    await close();
  }
}

async function connectInBatches(count: number, connect: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => connect(i + k)));
  }
}

async function gatewayRun(port: number, key: string): Promise<Figures> {
  const url = `ws://127.0.0.1:${port}/graphql`;
  const query = 'subscription { webhookProcessed(client: "banban", flow: "sales") { id action outcome at } }';
  return measure(
    async (onEvent) => {
      const clients: Array<ReturnType<typeof createClient>> = [];
      await connectInBatches(SUBSCRIBERS, (i) => new Promise<void>((resolve, reject) => {
        const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { 'x-api-key': key }, retryAttempts: 0, lazy: false, on: { connected: () => resolve(), closed: (e) => reject(e) } });
        clients.push(client);
        client.subscribe<{ webhookProcessed: { id: string; at: string } }>({ query }, {
          next: (r) => r.data && onEvent(i, r.data.webhookProcessed.id, r.data.webhookProcessed.at),
          error: (e) => console.error('subscriber error', e),
          complete: () => undefined,
        });
      }));
      return async () => {
        await Promise.all(clients.map((c) => c.dispose()));
      };
    },
    async (n) => {
      const body = { ...sale, data: { ...sale.data, sale_id: `S-${run}-${n}` } };
      return (await postJson(`http://127.0.0.1:${port}/api/v1/webhooks/sales-flow`, body, { 'x-api-key': key })).eventId;
    },
  );
}

async function baselineRun(port: number): Promise<Figures> {
  return measure(
    async (onEvent) => {
      const sockets: WebSocket[] = [];
      await connectInBatches(SUBSCRIBERS, (i) => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
        sockets.push(ws);
        ws.on('open', () => resolve());
        ws.on('error', reject);
        ws.on('message', (data) => {
          const e = JSON.parse(String(data)) as { id: string; at: string };
          onEvent(i, e.id, e.at);
        });
      }));
      return async () => {
        for (const ws of sockets) ws.close();
      };
    },
    async () => (await postJson(`http://127.0.0.1:${port}/broadcast`, {})).eventId,
  );
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const line = (name: string, f: Figures) => `${name.padEnd(40)} p50 ${ms(f.p50).padStart(9)}   p99 ${ms(f.p99).padStart(9)}   max ${ms(f.max).padStart(9)}   delivered ${f.delivered}/${f.expected}`;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const database = await createBenchDatabase();
  try {
    const baselineServer = await startServer('baseline', database.url);
    const base = await baselineRun(baselineServer.port);
    await baselineServer.stop();

    const gatewayServer = await startServer('gateway', database.url);
    const hub = await gatewayRun(gatewayServer.port, gatewayServer.extra[0]);
    await gatewayServer.stop();

    const ratio = base.p99 / hub.p99;
    const complete = hub.delivered === hub.expected;
    console.log(`\nbench:subscriptions — ${SUBSCRIBERS} subscribers × ${EVENTS} events (one every ${INTERVAL_MS} ms), latency = publish → receipt${process.env.BENCH_REDIS_URL ? ', gateway through Redis' : ''}`);
    console.log(line('baseline (bare ws broadcast)', base));
    console.log(line('gateway (graphql-ws webhookProcessed)', hub));
    console.log(`gateway p99 ${ms(hub.p99)} (target < ${TARGET_P99_MS} ms) = ${(hub.p99 / base.p99).toFixed(2)}× the bare ws p99; ratio (baseline/gateway, higher is better) ${ratio.toFixed(2)}`);
    // Latency is CPU-bound: on a shared machine, read the figures against its load (and the baseline).
    console.log(`machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0].toFixed(1)} after`);
    if (!complete) console.log(`WARNING: ${hub.expected - hub.delivered} deliveries missing`);
    emitResult({
      name: 'bench:subscriptions',
      figure: `p50 ${ms(hub.p50)}, p99 ${ms(hub.p99)} (${SUBSCRIBERS} graphql-ws subscribers)`,
      baseline: `p50 ${ms(base.p50)}, p99 ${ms(base.p99)} (bare ws broadcast)`,
      ratio,
      target: `p99 < ${TARGET_P99_MS} ms`,
      pass: hub.p99 < TARGET_P99_MS && complete,
      details: { subscribers: SUBSCRIBERS, events: EVENTS, interval_ms: INTERVAL_MS, redis: !!process.env.BENCH_REDIS_URL, load_average: [loadBefore, loadavg()[0]], gateway: hub, baseline: base },
    });
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
