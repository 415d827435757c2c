import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeStartupError, StartupError } from '../../src/errors/startup-error';
import { eventually } from '../support/eventually';
import { fixture } from '../support/fixtures';
import {
  freePort,
  GatewayProcess,
  pool,
  spawnGateway,
  startEmbeddedPgProcess,
  startGatewayProcess,
} from '../support/gateway-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

// Started as `npm start` is: NODE_ENV=development, where Apollo Server would install signal handlers of its own.
const ROOT = join(__dirname, '..', '..');
const KEY = 'axk_process_lifecycle_key_0123456789abcd';
const asRoot = process.getuid?.() === 0;
const SYNC_IN_FLIGHT = 20;
const ASYNC_DELIVERIES = 60;
const ITEMS_PER_QUEUED_SALE = 200;
// One worker taking 4 jobs at a time: the backlog lasts a few seconds.
// LOG_LEVEL info: the test counts the requests the gateway has routed from its "incoming request" lines.
const SETTINGS = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  DEV_API_KEY: KEY,
  QUEUE_WORKERS: '1',
  QUEUE_BATCH_SIZE: '4',
};
const JOBS_PER_ROUND = 4;

interface Answer {
  status: number;
  body: string;
}

/** A request whose headers and first half of the body leave now; `finish()` sends the rest. */
function slowRequest(url: string, path: string, body: string, headers: Record<string, string>) {
  let finish!: () => void;
  const response = new Promise<Answer>((resolve) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { response, finish: () => finish() };
}

function sale(id: string): string {
  const base = fixture('sales-flow', 'register_sale');
  return JSON.stringify({ ...base, data: { ...base.data, sale_id: id } });
}

interface DrainResult {
  exitCode: number | null;
  exitMs: number;
  answers: Answer[];
  graphql: Answer[];
  asyncEventIds: string[];
  processedAtSignal: number;
  /** Events of the jobs the workers held when the signal was sent. */
  activeAtSignal: string[];
}

type Query = (sql: string) => Promise<number>;
const inList = (ids: string[]) => `'{${ids.join(',')}}'::uuid[]`;

/** A sale of `items` lines (each its own SKU), slower to apply than the fixture's two. */
function bigSale(id: string, items: number): string {
  const base = fixture('sales-flow', 'register_sale');
  const lines = Array.from({ length: items }, (_, i) => ({
    sku: `BIG-${i}`,
    quantity: 1,
    unit_price: '10.00',
    discount: '0.00',
  }));
  return JSON.stringify({ ...base, data: { ...base.data, sale_id: id, items: lines, total: (10 * items).toFixed(2) } });
}

/** Queued deliveries for the next gateway's workers, accepted by one without workers (QUEUE_WORKERS=0). */
async function queueBacklog(ingest: GatewayProcess, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  await pool(
    Array.from({ length: ASYNC_DELIVERIES }, (_, i) => i),
    10,
    async (i) => {
      const res = await fetch(`${ingest.url}/api/v1/webhooks/sales-flow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'respond-async', 'x-api-key': KEY },
        body: bigSale(`${prefix}-A-${i}`, ITEMS_PER_QUEUED_SALE),
      });
      const body = (await res.json()) as { eventId: string };
      expect({ status: res.status, body }).toEqual({
        status: 202,
        body: expect.objectContaining({ eventId: expect.any(String) }),
      });
      ids.push(body.eventId);
    },
  );
  return ids;
}

/** How many requests the gateway has routed from now on (Fastify logs each as "incoming request"). */
function routedRequests(gateway: GatewayProcess): () => number {
  let count = 0;
  let partial = '';
  gateway.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    count += lines.filter((line) => line.includes('"msg":"incoming request"')).length;
  });
  return () => count;
}

/**
 * One SIGTERM while deliveries and GraphQL requests are in flight (headers and half the body sent;
 * the rest follows 300 ms after the signal) and while the workers are applying the queued backlog.
 */
async function sigtermWithRequestsInFlight(
  gateway: GatewayProcess,
  prefix: string,
  databaseUrl: string,
  asyncEventIds: string[],
): Promise<DrainResult> {
  const headers = { 'x-api-key': KEY };
  const routed = routedRequests(gateway);
  const slow = Array.from({ length: SYNC_IN_FLIGHT }, (_, i) =>
    slowRequest(gateway.url, '/api/v1/webhooks/sales-flow', sale(`${prefix}-S-${i}`), headers),
  );
  const typename = JSON.stringify({ query: '{ __typename }' });
  const slowGraphql = [0, 1].map(() => slowRequest(gateway.url, '/graphql', typename, headers));
  // in flight means the gateway has routed them (their headers read), however busy the machine is
  await eventually(
    async () => {
      if (routed() < SYNC_IN_FLIGHT + slowGraphql.length) throw new Error(`${routed()} requests routed`);
    },
    20_000,
    20,
  );

  const live = new Client({ connectionString: databaseUrl });
  live.on('error', () => undefined);
  await live.connect();
  const query: Query = async (sql) => Number((await live.query<{ n: number }>(sql)).rows[0].n);
  const backlog = inList(asyncEventIds);
  const processedSql = `select count(*) as n from webhook_events where id = any(${backlog}) and status = 'processed'`;
  const activeSql = `select data->>'eventId' as id from pgboss.job where name = 'webhook-events' and state = 'active'`;
  // the signal comes while the workers hold jobs, with more than a round of them still queued
  const [processedAtSignal, activeAtSignal] = await eventually(
    async () => {
      const [processed, active] = [
        await query(processedSql),
        (await live.query<{ id: string }>(activeSql)).rows.map((r) => r.id),
      ];
      if (active.length === 0)
        throw new Error(`no job in the workers' hands (${processed}/${asyncEventIds.length} applied)`);
      if (processed + active.length > ASYNC_DELIVERIES - 2 * JOBS_PER_ROUND)
        throw new Error(`the backlog is nearly done (${processed} applied)`);
      return [processed, active] as const;
    },
    10_000,
    5,
  );
  const t0 = Date.now();
  const exited = gateway.kill('SIGTERM');
  await live.end();
  await new Promise((r) => setTimeout(r, 300));
  for (const r of [...slow, ...slowGraphql]) r.finish();
  const [answers, graphql] = await Promise.all([
    Promise.all(slow.map((r) => r.response)),
    Promise.all(slowGraphql.map((r) => r.response)),
  ]);
  const exitCode = await exited;
  return { exitCode, exitMs: Date.now() - t0, answers, graphql, asyncEventIds, processedAtSignal, activeAtSignal };
}

async function expectDrained(
  result: DrainResult,
  gateway: GatewayProcess,
  query: Query,
  prefix: string,
  label: string,
) {
  expect(gateway.output()).not.toMatch(/second SIGTERM|killed by timeout/);
  expect(result.answers.map((a) => a.status)).toEqual(Array(SYNC_IN_FLIGHT).fill(200));
  expect(result.graphql.map((a) => a.status)).toEqual([200, 200]);
  for (const a of result.graphql) expect(JSON.parse(a.body)).toEqual({ data: { __typename: 'Query' } });
  expect(result.exitCode).toBe(0);
  // every answered delivery is stored with its effect; no job was left half-done in a worker's hands
  expect(await query(`select count(*) as n from sales where id like '${prefix}-S-%'`)).toBe(SYNC_IN_FLIGHT);
  expect(await query(`select count(*) as n from inventory_movements where source_id like '${prefix}-S-%'`)).toBe(
    2 * SYNC_IN_FLIGHT,
  );
  const ids = inList(result.asyncEventIds);
  expect(await query(`select count(*) as n from webhook_events where id = any(${ids})`)).toBe(ASYNC_DELIVERIES);
  expect(
    await query(
      `select count(*) as n from webhook_events where id = any(${ids}) and status not in ('processed', 'queued')`,
    ),
  ).toBe(0);
  expect(await query(`select count(*) as n from pgboss.job where name = 'webhook-events' and state = 'active'`)).toBe(
    0,
  );
  const processed = await query(
    `select count(*) as n from webhook_events where id = any(${ids}) and status = 'processed'`,
  );
  // the jobs in the workers' hands at the signal were finished
  expect(
    await query(
      `select count(*) as n from webhook_events where id = any(${inList(result.activeAtSignal)})` +
        ` and status = 'processed'`,
    ),
  ).toBe(result.activeAtSignal.length);
  expect(await query(`select count(*) as n from sales where id like '${prefix}-A-%'`)).toBe(processed);
  expect(await query(`select count(*) as n from inventory_movements where source_id like '${prefix}-A-%'`)).toBe(
    ITEMS_PER_QUEUED_SALE * processed,
  );
  // the workers took no new jobs once the signal came: the rest waits for the next start (a job fetched
  // as the signal came is handed back for a retry, never completed unapplied)
  const waiting =
    "select count(*) as n from pgboss.job where name = 'webhook-events' and state in ('created', 'retry')";
  expect(await query(waiting)).toBe(ASYNC_DELIVERIES - processed);
  expect(ASYNC_DELIVERIES - processed).toBeGreaterThan(0);
  console.log(
    `${label}: one SIGTERM with ${SYNC_IN_FLIGHT} deliveries and 2 GraphQL requests in flight, ` +
      `${result.activeAtSignal.length} job(s) active and ${ASYNC_DELIVERIES - result.processedAtSignal} ` +
      `queued deliveries not yet applied: all answered 200, exit 0 after ${result.exitMs} ms; ` +
      `${processed - result.processedAtSignal} more applied during the drain, ` +
      `${ASYNC_DELIVERIES - processed} left queued for the next start`,
  );
}

function collect(child: ChildProcess): { output: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  return { output: () => text, exit: new Promise((r) => child.once('exit', (code) => r(code))) };
}

async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined)); // already taken by someone else: as good
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A directory only its owner (root, here) can enter, like `mktemp -d` or /root. */
function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axon-private-'));
  chmodSync(dir, 0o700);
  return dir;
}

/** A directory the embedded cluster's unprivileged user can reach. */
function openDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axon-open-'));
  chmodSync(dir, 0o755);
  return dir;
}

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('one SIGTERM drains in-flight requests and jobs, then exits 0', () => {
  let database: TestDatabase;
  let gateway: GatewayProcess | undefined;
  let ingest: GatewayProcess | undefined;
  afterAll(async () => {
    await Promise.all([gateway?.kill('SIGKILL'), ingest?.kill('SIGKILL')]);
    await database?.drop();
  });

  it('with DATABASE_URL', async () => {
    database = await createTestDatabase();
    const env = { ...SETTINGS, DATABASE_URL: database.url };
    ingest = await startGatewayProcess({ ...env, QUEUE_WORKERS: '0' });
    const backlog = await queueBacklog(ingest, 'DU');
    expect(await ingest.kill('SIGTERM')).toBe(0);
    gateway = await startGatewayProcess(env);
    const result = await sigtermWithRequestsInFlight(gateway, 'DU', database.url, backlog);
    const query = async (sql: string) => Number((await database.db.query<{ n: number }>(sql)).rows[0].n);
    await expectDrained(result, gateway, query, 'DU', 'DATABASE_URL');
  }, 120_000);

  describe('on the embedded default, started from a folder only root can enter, with port 54329 taken', () => {
    let cwd: string;
    let env: Record<string, string | undefined>;
    let blocker: Server | undefined;
    beforeAll(async () => {
      cwd = privateDir();
      const pgDir = join(openDir(), 'data');
      cleanup.push(cwd, join(pgDir, '..'));
      blocker = await occupy(54329);
      env = { ...SETTINGS, DATABASE_URL: undefined, EMBEDDED_PG_PORT: undefined, EMBEDDED_PG_DIR: pgDir };
      // first start (initdb): this one accepts the backlog without working it
      gateway = await startGatewayProcess({ ...env, QUEUE_WORKERS: '0' }, 90_000, { cwd });
    }, 120_000);
    afterAll(() => blocker?.close());

    it('starts on a free port and says which', () => {
      expect(gateway!.output()).toMatch(
        /port 54329 is in use: the embedded PostgreSQL listens on \d+ \(EMBEDDED_PG_PORT sets it\)/,
      );
    });

    it('drains and exits 0', async () => {
      const backlog = await queueBacklog(gateway!, 'EM');
      expect(await gateway!.kill('SIGTERM')).toBe(0);
      gateway = await startGatewayProcess(env, 90_000, { cwd });
      const port = /the embedded PostgreSQL listens on (\d+)/.exec(gateway.output())![1];
      const url = `postgres://postgres:postgres@127.0.0.1:${port}/axon`;
      const result = await sigtermWithRequestsInFlight(gateway, 'EM', url, backlog);
      // the cluster stopped with the gateway: start it again to look at what was stored
      const pg = await startEmbeddedPgProcess(env.EMBEDDED_PG_DIR!, await freePort());
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      try {
        const query = async (sql: string) => Number((await client.query<{ n: number }>(sql)).rows[0].n);
        await expectDrained(result, gateway, query, 'EM', 'embedded');
      } finally {
        await client.end();
        await pg.stop();
      }
    }, 120_000);
  });
});

describe('a startup failure says what happened and what to do', () => {
  it('EMBEDDED_PG_PORT taken: names the port and the setting', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    const pgDir = openDir();
    cleanup.push(pgDir);
    try {
      const started = Date.now();
      const run = collect(
        spawnGateway({
          DATABASE_URL: undefined,
          EMBEDDED_PG_PORT: String(port),
          EMBEDDED_PG_DIR: join(pgDir, 'data'),
          PORT: '0',
        }),
      );
      expect(await run.exit).toBe(1);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(run.output()).toContain(`127.0.0.1:${port}`);
      expect(run.output()).toContain('EMBEDDED_PG_PORT');
      expect(run.output()).not.toMatch(/\bundefined\b/);
    } finally {
      blocker?.close();
    }
  }, 30_000);

  (asRoot ? it : it.skip)(
    'as root, an EMBEDDED_PG_DIR the postgres user cannot reach: names the folder and what to do',
    async () => {
      const closed = privateDir();
      cleanup.push(closed);
      mkdirSync(join(closed, 'checkout'));
      const run = collect(
        spawnGateway({
          DATABASE_URL: undefined,
          EMBEDDED_PG_PORT: String(await freePort()),
          EMBEDDED_PG_DIR: join(closed, 'checkout', 'pg'),
          PORT: '0',
        }),
      );
      expect(await run.exit).toBe(1);
      const out = run.output();
      expect(out).toContain(`cannot enter ${closed}`);
      expect(out).toMatch(/EMBEDDED_PG_DIR/);
      expect(out).toMatch(/DATABASE_URL/);
      expect(out).not.toMatch(/\bundefined\b|EACCES/);
    },
    30_000,
  );

  (asRoot ? it : it.skip)(
    'as root, a checkout inside a folder only root can enter: names the folder and what to do',
    async () => {
      // a checkout of the gateway (node_modules hard-linked: same files, other paths) under a 0700 folder
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      const closed = mkdtempSync(join(ROOT, 'test-artifacts', 'private-'));
      chmodSync(closed, 0o700);
      cleanup.push(closed);
      const checkout = join(closed, 'axon');
      mkdirSync(checkout);
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(checkout, 'node_modules')]);
      execFileSync('cp', ['-r', join(ROOT, 'src'), join(ROOT, 'package.json'), join(ROOT, 'tsconfig.json'), checkout]);
      const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED_PG_PORT: String(await freePort()), PORT: '0' };
      delete env.DATABASE_URL;
      delete env.EMBEDDED_PG_DIR; // the default, ./.data/postgres in the checkout
      delete env.SWC_NODE_PROJECT;
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: checkout,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = collect(child);
      expect(await run.exit).toBe(1);
      const out = run.output();
      expect(out).toContain(`cannot enter ${closed} (mode 700`);
      expect(out).toContain('where its programs are');
      expect(out).toMatch(/Move the checkout under a folder every user can enter/);
      expect(out).not.toMatch(/\bundefined\b|EACCES/);
    },
    30_000,
  );
});

describe('describeStartupError', () => {
  it('gives a message and a code for whatever a failed start throws, never a bare undefined', () => {
    const refused = Object.assign(
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], ''),
      {
        code: 'ECONNREFUSED',
      },
    );
    expect(describeStartupError(refused).split('\n')[0]).toBe(
      'Startup failed: AggregateError [ECONNREFUSED]: connect ECONNREFUSED ::1:5432 [ECONNREFUSED]',
    );
    expect(describeStartupError(undefined)).toBe('Startup failed: a step failed without giving a reason');
    expect(describeStartupError(null)).toBe('Startup failed: a step failed without giving a reason');
    expect(describeStartupError('')).toBe('Startup failed: an empty error message');
    expect(describeStartupError({ reason: 'x' })).toBe('Startup failed: {"reason":"x"}');
    const listen = Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:4000'), {
      code: 'EADDRINUSE',
    });
    expect(describeStartupError(listen).split('\n')[0]).toBe(
      'Startup failed: listen EADDRINUSE: address already in use 0.0.0.0:4000 [EADDRINUSE]',
    );
    expect(describeStartupError(new StartupError('EMBEDDED_PG_PORT_IN_USE', 'Port taken.'))).toBe(
      'Port taken. [EMBEDDED_PG_PORT_IN_USE]',
    );
  });
});
