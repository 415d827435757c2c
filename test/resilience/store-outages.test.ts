import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { isTransientSourceError } from '../../src/connectors/connector-policy';
import { isStoreUnavailable } from '../../src/db/store-errors';
import { FlowStatusEvent } from '../../src/subscriptions/hub-events';
import { eventually } from '../support/eventually';
import { variant } from '../support/fixtures';
import { OutageApp, startOutageApp } from '../support/outage-app';
import { serverUrl } from '../support/test-db';

/**
 * The store failing in the ways it does in production, under a real gateway: PostgreSQL refusing
 * the database, refusing connections, and a network that stops answering — the last two through a
 * TCP proxy in this process (test/support/tcp-proxy.ts) between the gateway and PostgreSQL.
 */

interface Answer {
  saleId: string;
  status: number;
  code?: string;
  message?: string;
  retryAfter?: string;
  replayed: boolean;
  eventId?: string;
  async: boolean;
  ms: number;
}

let n = 0;
const saleId = (tag: string) => `${tag}-${process.pid}-${++n}`;

async function deliver(t: OutageApp, id: string, opts: { key?: string; async?: boolean } = {}): Promise<Answer> {
  const started = performance.now();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/sales-flow',
    headers: {
      'content-type': 'application/json',
      'x-api-key': opts.key ?? t.apiKey,
      ...(opts.async && { prefer: 'respond-async' }),
    },
    payload: JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: id })),
  });
  const body = res.json();
  return {
    saleId: id,
    status: res.statusCode,
    code: body.error?.code,
    message: body.error?.message,
    retryAfter: res.headers['retry-after'] as string | undefined,
    replayed: res.headers['idempotent-replayed'] === 'true',
    eventId: body.eventId,
    async: !!opts.async,
    ms: performance.now() - started,
  };
}

async function ready(t: OutageApp): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
  return { status: res.statusCode, body: res.json(), ms: performance.now() - started };
}

/** The sale ids of the deliveries that were recorded: applied (the sale exists) or stored for the queue (202). */
async function recorded(t: OutageApp, answers: Answer[]): Promise<Set<string>> {
  const ids = answers.map((a) => a.saleId);
  const { rows } = await t.direct.query<{ id: string }>(
    `select id from sales where id = any($1::text[])
     union select payload->'data'->>'sale_id' from webhook_events
            where status = 'queued' and payload->'data'->>'sale_id' = any($1::text[])`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The flow-status events of banban from now on. */
function flowStatuses(t: OutageApp): { seen: FlowStatusEvent[]; stop: () => Promise<void> } {
  const seen: FlowStatusEvent[] = [];
  const it = t.services.events.subscribe('flow-status', 'banban')[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const next = await it.next();
      if (next.done) return;
      seen.push(next.value as FlowStatusEvent);
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await it.return?.();
    },
  };
}

describe('one classifier: every way PostgreSQL says "not now" is the store being unavailable', () => {
  it('FATAL at connect (3D000, 28xxx) and refused sockets count; refused statements do not', async () => {
    const errorOf = async (url: string) => {
      const c = new Client({ connectionString: url });
      return c.connect().then(
        () => c.end().then(() => null),
        (err: unknown) => err,
      );
    };
    const u = new URL(serverUrl());
    const other = (patch: (u: URL) => void) => {
      const copy = new URL(u.toString());
      patch(copy);
      return copy.toString();
    };
    const noDatabase = await errorOf(other((x) => (x.pathname = '/axon_no_such_database')));
    const noRole = await errorOf(other((x) => (x.username = 'axon_no_such_role')));
    const refused = await errorOf(other((x) => (x.port = '1')));
    const codes = [noDatabase, noRole].map((e) => (e as { code: string }).code);
    expect(codes).toEqual(['3D000', expect.stringMatching(/^28/)]);
    expect([noDatabase, noRole, refused].map(isStoreUnavailable)).toEqual([true, true, true]);
    // the ETL's sources are judged by the same classifier
    expect([noDatabase, noRole, refused].map(isTransientSourceError)).toEqual([true, true, true]);

    const refusals = await admin(async (c) => {
      const out: unknown[] = [];
      for (const sql of ['select 1/0', 'select * from axon_no_such_table', `select 'x'::int`]) {
        out.push(await c.query(sql).catch((e: unknown) => e));
      }
      return out;
    });
    expect(refusals.map(isStoreUnavailable)).toEqual([false, false, false]);
  });
});

describe('PostgreSQL up but not serving the database (ALLOW_CONNECTIONS false: FATAL 55000)', () => {
  let t: OutageApp;
  beforeAll(async () => {
    t = await startOutageApp({ POLICY_RETRY_ATTEMPTS: '0', BREAKER_FAILURES: '3' });
  });
  afterAll(async () => {
    await admin((c) => c.query(`alter database ${t.database.name} allow_connections true`));
    await t.close();
  });

  it('503 GW_STORE_UNAVAILABLE, Retry-After; the breaker opens; flowStatusChanged and readiness: down', async () => {
    expect((await deliver(t, saleId('UP'))).status).toBe(200);
    const statuses = flowStatuses(t);
    await admin(async (c) => {
      await c.query(`alter database ${t.database.name} allow_connections false`);
      const others = `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`;
      await c.query(`select pg_terminate_backend(pid) from (${others}) o`, [t.database.name]);
    });

    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await deliver(t, saleId('NOCONN')));
    expect(answers.map((a) => [a.status, a.code])).toEqual(answers.map(() => [503, 'GW_STORE_UNAVAILABLE']));
    expect(answers.every((a) => a.retryAfter !== undefined)).toBe(true);
    expect(t.services.policies.forFlow('banban', 'sales').state).toBe('open');
    const down = expect.objectContaining({ flow: 'sales', status: 'down' });
    await eventually(() => expect(statuses.seen).toContainEqual(down), 10_000);
    await statuses.stop();
    expect(await ready(t)).toMatchObject({ status: 503, body: { status: 'down', store: 'down' } });
  });
});

describe('the database down (connections refused) while API keys are looked up on every delivery', () => {
  let t: OutageApp;
  beforeAll(async () => {
    t = await startOutageApp({ API_KEY_CACHE_SECONDS: '0', POLICY_RETRY_ATTEMPTS: '0', BREAKER_FAILURES: '4' });
  });
  afterAll(() => t.close());

  it("the key lookup meets the outage first: it counts on the flow's breaker, which opens and says so", async () => {
    expect((await deliver(t, saleId('UP'))).status).toBe(200);
    const statuses = flowStatuses(t);
    await t.proxy.setMode('refuse');
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await deliver(t, saleId('DOWN')));
    expect(answers.map((a) => [a.status, a.code])).toEqual(answers.map(() => [503, 'GW_STORE_UNAVAILABLE']));
    expect(answers.every((a) => a.retryAfter !== undefined)).toBe(true);
    const breaker = t.services.policies.forFlow('banban', 'sales');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().failures).toBe(4);
    const down = expect.objectContaining({ flow: 'sales', status: 'down' });
    await eventually(() => expect(statuses.seen).toContainEqual(down), 10_000);
    await statuses.stop();
    const probe = await ready(t);
    expect(probe).toMatchObject({ status: 503, body: { store: 'down' } });
    // outside the pipeline too: an API key checked for an ops endpoint is a coded 503 with Retry-After
    const headers = { 'x-api-key': 'axk_never-verified-never-verified-0000' };
    const byKey = await t.app.inject({ method: 'GET', url: '/health/integrations/banban', headers });
    const answer = [byKey.statusCode, byKey.json().error.code, byKey.headers['retry-after']];
    expect(answer).toEqual([503, 'GW_STORE_UNAVAILABLE', '5']);
  });
});

describe('the network to PostgreSQL stalls (nothing refused, nothing answered)', () => {
  let t: OutageApp;
  beforeAll(async () => {
    // The documented defaults: DATABASE_CONNECT_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS 5000,
    // HEALTH_READY_TIMEOUT_MS 1500; rate limits on, as in production.
    t = await startOutageApp({ RATE_LIMIT_ENABLED: 'true' });
  });
  afterAll(() => t.close());

  it('readiness: 503 within 2 s; a delivery: 503 within the statement timeout, and true', async () => {
    const { statementMs, connectMs } = t.config.databaseTimeouts;
    expect([statementMs, connectMs, t.config.health.readyTimeoutMs]).toEqual([5000, 5000, 1500]);
    expect((await deliver(t, saleId('UP'))).status).toBe(200);
    const { key } = await t.services.apiKeys.issue({ clientId: 'banban', name: 'not-verified-yet' });
    // past the 5 s caches of verified keys and client settings: the stall meets a delivery that needs the store
    await new Promise((r) => setTimeout(r, 5200));
    await t.proxy.setMode('stall');

    const [probe, delivery] = await Promise.all([ready(t), deliver(t, saleId('STALL'))]);
    expect(probe).toMatchObject({ status: 503, body: { status: 'down', store: 'down' } });
    expect(probe.ms).toBeLessThan(2000);
    expect([delivery.status, delivery.code, delivery.retryAfter]).toEqual([503, 'GW_STORE_UNAVAILABLE', '5']);
    expect(delivery.ms).toBeLessThan(statementMs + 1000);
    // an API key this instance has not verified yet: looking it up meets the stall too
    const unverified = await deliver(t, saleId('STALL'), { key });
    expect([unverified.status, unverified.code]).toEqual([503, 'GW_STORE_UNAVAILABLE']);
    expect(unverified.ms).toBeLessThan(Math.max(statementMs, connectMs) + 1000);

    const ms = (x: { ms: number }) => `${x.ms.toFixed(0)} ms`;
    console.log(`stall: /health/ready ${ms(probe)}, delivery ${ms(delivery)}, unverified key ${ms(unverified)}`);

    await t.proxy.setMode('pass');
    await eventually(async () => expect((await deliver(t, saleId('AFTER'))).status).toBe(200), 20_000, 200);
    // "nothing was recorded" was true: what the stalled connections carried reached PostgreSQL without its COMMIT
    await new Promise((r) => setTimeout(r, 300));
    expect(await recorded(t, [delivery, unverified])).toEqual(new Set());
  });
});

describe('a COMMIT whose answer never comes', () => {
  let t: OutageApp;
  beforeAll(async () => {
    t = await startOutageApp({
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      POLICY_RETRY_ATTEMPTS: '2',
      BREAKER_FAILURES: '1000',
    });
  });
  afterEach(async () => {
    t.proxy.stallRepliesAfter(undefined);
    await t.proxy.setMode('pass');
  });
  afterAll(() => t.close());

  it('one delivery: 503 GW_OUTCOME_UNKNOWN; it was committed; the retry gets the stored answer', async () => {
    expect((await deliver(t, saleId('WARM'))).status).toBe(200);
    t.proxy.stallRepliesAfter('COMMIT\0');
    const first = await deliver(t, saleId('UNKNOWN'));
    expect([first.status, first.code, first.retryAfter]).toEqual([503, 'GW_OUTCOME_UNKNOWN', '5']);
    expect(first.message).toMatch(/may or may not have been recorded; retrying with the same id is safe/);
    t.proxy.stallRepliesAfter(undefined);

    expect(await recorded(t, [first])).toEqual(new Set([first.saleId]));
    const retry = await eventually(
      async () => {
        const r = await deliver(t, first.saleId);
        expect(r.status).toBe(200);
        return r;
      },
      10_000,
      200,
    );
    expect(retry).toMatchObject({ replayed: true, eventId: first.eventId });
  });

  it('a group commit (sync and async deliveries): each unit is told the outcome is unknown, none re-run', async () => {
    t.proxy.stallRepliesAfter('COMMIT\0');
    const batch = Array.from({ length: 8 }, (_, i) => deliver(t, saleId('BATCH'), { async: i % 3 === 0 }));
    const answers = await Promise.all(batch);
    t.proxy.stallRepliesAfter(undefined);
    expect(answers.map((a) => a.code)).toEqual(answers.map(() => 'GW_OUTCOME_UNKNOWN'));
    const stored = await recorded(t, answers);
    expect(stored.size).toBe(answers.length);
    for (const a of answers) {
      const retry = await eventually(
        async () => {
          const r = await deliver(t, a.saleId, { async: a.async });
          expect([200, 202]).toContain(r.status);
          return r;
        },
        10_000,
        200,
      );
      expect(retry).toMatchObject({ replayed: true, eventId: a.eventId });
    }
  });

  it('stalls in the middle of traffic: every answer is true once the network is back', async () => {
    const answers: Answer[] = [];
    let stop = false;
    const sender = async (lane: number) => {
      for (let i = 0; !stop; i++) answers.push(await deliver(t, saleId(`MIX${lane}`), { async: i % 4 === 0 }));
    };
    const senders = Array.from({ length: 16 }, (_, i) => sender(i));
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 400 + 300 * round));
      await t.proxy.setMode('stall');
      await new Promise((r) => setTimeout(r, 1500));
      await t.proxy.setMode('pass');
    }
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(senders);
    await new Promise((r) => setTimeout(r, 500)); // what the stalled connections still carried reaches PostgreSQL

    const stored = await recorded(t, answers);
    const by = (pred: (a: Answer) => boolean) => answers.filter(pred);
    const acked = by((a) => a.status === 200 || a.status === 202);
    const nothingRecorded = by((a) => a.code === 'GW_STORE_UNAVAILABLE');
    const unknown = by((a) => a.code === 'GW_OUTCOME_UNKNOWN');
    expect(by((a) => !acked.includes(a) && !nothingRecorded.includes(a) && !unknown.includes(a))).toEqual([]);
    expect(nothingRecorded.length + unknown.length).toBeGreaterThan(0);
    expect(acked.filter((a) => !stored.has(a.saleId))).toEqual([]);
    expect(nothingRecorded.filter((a) => stored.has(a.saleId))).toEqual([]);
    expect(nothingRecorded.every((a) => a.retryAfter === '5') && unknown.every((a) => a.retryAfter === '5')).toBe(true);
    // the sender retries what it was told may not be recorded: the stored answer when it was, applied now when not
    for (const a of unknown) {
      const retry = await deliver(t, a.saleId, { async: a.async });
      expect([200, 202]).toContain(retry.status);
      expect(retry.replayed).toBe(stored.has(a.saleId));
      if (retry.replayed) expect(retry.eventId).toBe(a.eventId);
    }

    const unknownStored = unknown.filter((a) => stored.has(a.saleId)).length;
    console.log(
      `mid-traffic stalls: ${acked.length} acknowledged, ${nothingRecorded.length} "nothing recorded" (none stored), ` +
        `${unknown.length} unknown (${unknownStored} of them stored)`,
    );
  });
});
