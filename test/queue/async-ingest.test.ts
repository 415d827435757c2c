import { CLIENTS } from '../../src/clients/registry';
import { DEAD_LETTER_QUEUE } from '../../src/queue/webhook-queue';
import { eventually } from '../support/eventually';
import { fixture, variant } from '../support/fixtures';
import { graphql, integrationHealth, postWebhook, scrapeMetrics } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
const originalRetry = CLIENTS.banban.retry;
beforeAll(async () => {
  // Short backoff so parked and dead-lettered events settle within the test.
  CLIENTS.banban.retry = { maxAttempts: 3, initialDelaySeconds: 1, maxDelaySeconds: 2 };
  t = await startTestApp({ QUEUE_WORKERS: '2' });
});
afterAll(async () => {
  CLIENTS.banban.retry = originalRetry;
  await t.close();
});

const ASYNC = { prefer: 'respond-async' };
const sale = (id: string, patch: Record<string, unknown> = {}) =>
  variant('sales-flow', 'register_sale', { sale_id: id, ...patch });
const payment = (saleId: string, paymentId: string, amount = '309.70') =>
  variant('sales-flow', 'register_payment', { sale_id: saleId, payment_id: paymentId, amount });
const cancellation = (saleId: string) => variant('sales-flow', 'register_cancellation', { sale_id: saleId });

async function eventRow(id: string) {
  const { rows } = await t.db.query(
    `select status, http_status, attempts, last_error_code, processed_at, error from webhook_events where id = $1`,
    [id],
  );
  return rows[0];
}

async function settled(id: string, status = 'processed', timeoutMs = 15_000) {
  return eventually(async () => {
    const row = await eventRow(id);
    expect(row.status).toBe(status);
    return row;
  }, timeoutMs);
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, values);
  return rows[0].n;
}

describe('Prefer: respond-async', () => {
  it(
    'stores and enqueues the event, answers 202 with its id, ' +
      'and a worker applies it with the same effect as the sync path',
    async () => {
      const res = await postWebhook(t, 'sales-flow', sale('A-1'), ASYNC);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ ok: true, action: 'register_sale', eventId: expect.any(String), status: 'queued' });
      const row = await settled(res.body.eventId);
      expect(row.http_status).toBe(200);
      expect(await count(`sales where client_id = 'banban' and id = 'A-1'`)).toBe(1);
      expect(await count(`inventory_movements where source_id = 'A-1'`)).toBe(2);

      const rest = await t.app.inject({
        method: 'GET',
        url: `/api/v1/webhooks/events/${res.body.eventId}`,
        headers: { 'x-api-key': t.apiKey },
      });
      expect(rest.statusCode).toBe(200);
      expect(rest.json().event).toMatchObject({
        id: res.body.eventId,
        status: 'processed',
        action: 'register_sale',
        result: { id: 'A-1', status: 'OPEN' },
      });

      const gql = await graphql(
        t,
        `
          query ($id: ID!) {
            webhookEvent(id: $id) {
              id
              status
              attempts
              action
            }
          }
        `,
        { id: res.body.eventId },
      );
      expect(gql.body.data.webhookEvent).toEqual({
        id: res.body.eventId,
        status: 'PROCESSED',
        attempts: 0,
        action: 'register_sale',
      });
    },
  );

  it(
    'concurrent async deliveries (stored and enqueued together under load) ' +
      'are each answered, queued once and applied',
    async () => {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => postWebhook(t, 'sales-flow', sale(`V-ASYNC-C${i}`), ASYNC)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(16).fill(202));
      const ids = results.map((r) => r.body.eventId as string);
      expect(new Set(ids).size).toBe(16);
      for (const id of ids) await settled(id);
      expect(await count(`sales where client_id = 'banban' and id like 'V-ASYNC-C%'`)).toBe(16);
      expect(
        await count(`webhook_events where id = any($1::uuid[]) and status = 'processed' and attempts = 0`, [ids]),
      ).toBe(16);
    },
  );

  it('GET /api/v1/webhooks/events/:id needs the key and is scoped to its client', async () => {
    const res = await postWebhook(t, 'sales-flow', sale('A-2'), ASYNC);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/events/${res.body.eventId}` })).statusCode).toBe(
      401,
    );
    await t.db.query(`insert into clients (id, name) values ('other-co', 'Other') on conflict do nothing`);
    const other = await t.services.apiKeys.issue({ clientId: 'other-co', name: 'other' });
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/events/${res.body.eventId}`,
      headers: { 'x-api-key': other.key },
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('GW_NOT_FOUND');
    const gql = await graphql(
      t,
      `
        query ($id: ID!) {
          webhookEvent(id: $id) {
            id
          }
        }
      `,
      { id: res.body.eventId },
      { 'x-api-key': other.key },
    );
    expect(gql.body.data.webhookEvent).toBeNull();
  });

  it('is idempotent like the sync path: one claim per key, whichever path comes first', async () => {
    const first = await postWebhook(t, 'sales-flow', sale('A-3'), ASYNC);
    const again = await postWebhook(t, 'sales-flow', sale('A-3'), ASYNC);
    const sync = await postWebhook(t, 'sales-flow', sale('A-3'));
    expect(again.body.eventId).toBe(first.body.eventId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(sync.body.eventId).toBe(first.body.eventId);
    await settled(first.body.eventId);
    const later = await postWebhook(t, 'sales-flow', sale('A-3'), ASYNC);
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ eventId: first.body.eventId, result: { id: 'A-3' } });
    expect(await count(`inventory_movements where source_id = 'A-3'`)).toBe(2);
    // A sync sale then an async redelivery: the redelivery is a replay, not a second job.
    const s = await postWebhook(t, 'sales-flow', sale('A-4'));
    const r = await postWebhook(t, 'sales-flow', sale('A-4'), ASYNC);
    expect(r.status).toBe(200);
    expect(r.body.eventId).toBe(s.body.eventId);
  });

  it(
    'refuses malformed deliveries synchronously (never queued) ' + 'and records business refusals as rejected',
    async () => {
      const bad = await postWebhook(t, 'sales-flow', { action: 'register_sale', data: { sale_id: 'X' } }, ASYNC);
      expect(bad.status).toBe(400);
      const mismatch = await postWebhook(t, 'sales-flow', sale('A-5', { total: '1.00' }), ASYNC);
      expect(mismatch.status).toBe(202);
      const row = await settled(mismatch.body.eventId, 'rejected');
      expect(row.http_status).toBe(422);
      expect(row.error.code).toBe('GW_SALE_TOTAL_MISMATCH');
      expect(await count(`sales where id = 'A-5'`)).toBe(0);
    },
  );
});

describe('ordering per business entity', () => {
  it('applies a sale, its payment and its cancellation in arrival order', async () => {
    const ids = [];
    for (const body of [sale('O-1'), payment('O-1', 'OP-1'), cancellation('O-1')])
      ids.push((await postWebhook(t, 'sales-flow', body, ASYNC)).body.eventId);
    const rows = await Promise.all(ids.map((id) => settled(id)));
    const times = rows.map((r) => r.processed_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const { rows: s } = await t.db.query(`select status from sales where id = 'O-1'`);
    expect(s[0].status).toBe('cancelled');
  });

  it('parks a payment that arrives before its sale, and applies it once the sale is there', async () => {
    const pay = await postWebhook(t, 'sales-flow', payment('O-2', 'OP-2'), ASYNC);
    const parked = await eventually(async () => {
      const row = await eventRow(pay.body.eventId);
      expect(row).toMatchObject({ status: 'queued', last_error_code: 'GW_PREDECESSOR_MISSING' });
      return row;
    });
    expect(parked.attempts).toBeGreaterThanOrEqual(1);
    const s = await postWebhook(t, 'sales-flow', sale('O-2'), ASYNC);
    await settled(s.body.eventId);
    await settled(pay.body.eventId);
    const { rows } = await t.db.query(`select status, paid_amount::text from sales where id = 'O-2'`);
    expect(rows[0]).toEqual({ status: 'paid', paid_amount: '309.70' });
  });

  it('a synchronous delivery for an entity with queued events joins the line (202) instead of overtaking', async () => {
    const breaker = t.services.policies.forFlow('banban', 'sales');
    const isolation = breaker.breaker.isolate();
    try {
      const s = await postWebhook(t, 'sales-flow', sale('O-3'));
      expect(s.status).toBe(202);
    } finally {
      isolation.dispose();
    }
    const c = await postWebhook(t, 'sales-flow', cancellation('O-3'));
    expect([200, 202]).toContain(c.status);
    await settled(c.body.eventId);
    const { rows } = await t.db.query(`select status from sales where id = 'O-3'`);
    expect(rows[0].status).toBe('cancelled');
  });
});

describe('retries, dead letters and replay', () => {
  it('dead-letters an event whose retries run out, shows it as DEAD, and replays it idempotently', async () => {
    const pay = await postWebhook(t, 'sales-flow', payment('D-1', 'DP-1'), ASYNC);
    const dead = await settled(pay.body.eventId, 'dead', 20_000);
    expect(dead.attempts).toBe(3);
    expect(dead.error.code).toBe('GW_PREDECESSOR_MISSING');
    const list = await graphql(
      t,
      `
        {
          webhookEvents(filter: { status: DEAD }) {
            edges {
              node {
                id
                status
                attempts
                lastErrorCode
              }
            }
          }
        }
      `,
    );
    expect(list.body.data.webhookEvents.edges.map((e: any) => e.node)).toContainEqual({
      id: pay.body.eventId,
      status: 'DEAD',
      attempts: 3,
      lastErrorCode: 'GW_PREDECESSOR_MISSING',
    });
    // the dead letter is also in pg-boss's dead-letter queue: pg-boss moves the job there when it fails
    // it, just after the worker's transaction recorded DEAD, so it may land a moment later
    await eventually(
      async () =>
        expect(
          await count(`pgboss.job where name = $2 and data->>'eventId' = $1`, [pay.body.eventId, DEAD_LETTER_QUEUE]),
        ).toBe(1),
      5_000,
    );

    await postWebhook(t, 'sales-flow', sale('D-1'));
    const replay = `mutation($f: ReplayWebhookEventsFilterInput!) {
      replayWebhookEvents(filter: $f) { requeued eventIds skipped } }`;
    const first = await graphql(t, replay, {
      f: { client: 'banban', flow: 'sales', status: 'DEAD', ids: [pay.body.eventId] },
    });
    expect(first.body.data.replayWebhookEvents).toEqual({ requeued: 1, eventIds: [pay.body.eventId], skipped: [] });
    const second = await graphql(t, replay, { f: { ids: [pay.body.eventId] } });
    expect(second.body.data.replayWebhookEvents).toEqual({ requeued: 0, eventIds: [], skipped: [] });
    await settled(pay.body.eventId);
    const third = await graphql(t, replay, { f: { ids: [pay.body.eventId] } });
    expect(third.body.data.replayWebhookEvents.requeued).toBe(0);
    expect(await count(`payments where id = 'DP-1'`)).toBe(1);
    const { rows } = await t.db.query(`select status from sales where id = 'D-1'`);
    expect(rows[0].status).toBe('paid');
  });

  it('replay refuses another client', async () => {
    const res = await graphql(
      t,
      `
        mutation {
          replayWebhookEvents(filter: { client: "other-co" }) {
            requeued
          }
        }
      `,
    );
    expect(res.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});

describe('an open breaker', () => {
  it('queues synchronous deliveries (202, stored) and the workers apply them once it closes', async () => {
    const policy = t.services.policies.forFlow('banban', 'sales');
    const statuses = t.services.events.subscribe('flow-status', 'banban')[Symbol.asyncIterator]();
    const firstStatus = statuses.next();
    const isolation = policy.breaker.isolate();
    expect((await firstStatus).value).toMatchObject({ clientId: 'banban', flow: 'sales', status: 'down' });
    await statuses.return?.();
    let eventId: string;
    try {
      const res = await postWebhook(t, 'sales-flow', sale('B-1'));
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      eventId = res.body.eventId;
      const health = await integrationHealth(t);
      expect(health.status).toBe(503);
      expect(health.body.flows.sales).toMatchObject({ status: 'down', circuit: 'isolated' });
      const gql = await graphql(
        t,
        `
          {
            flowHealth(client: "banban") {
              status
              flows {
                flow
                status
                circuit
                queueSize
              }
            }
            circuitBreakers {
              name
              scope
              state
              rejections
            }
          }
        `,
      );
      expect(gql.body.data.flowHealth.flows[0]).toMatchObject({ flow: 'sales', status: 'DOWN', circuit: 'ISOLATED' });
      expect(gql.body.data.circuitBreakers).toContainEqual(
        expect.objectContaining({ name: 'sales', scope: 'flow', state: 'ISOLATED' }),
      );
      expect(await count(`sales where id = 'B-1'`)).toBe(0);
    } finally {
      isolation.dispose();
    }
    await settled(eventId!);
    expect(await count(`sales where id = 'B-1'`)).toBe(1);
  });
});

describe('metrics', () => {
  it('exposes Prometheus metrics and per-flow figures from the stored events', async () => {
    await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    const res = await scrapeMetrics(t);
    expect(res.status).toBe(200);
    for (const name of [
      'axon_webhook_duration_seconds_bucket',
      'axon_webhook_events_total',
      'axon_queue_depth',
      'axon_queue_oldest_pending_age_seconds',
      'axon_dead_letters',
      'axon_circuit_state',
      'axon_circuit_transitions_total',
      'axon_http_request_duration_seconds_bucket',
    ]) {
      expect(res.body).toContain(name);
    }
    expect(res.body).toMatch(
      /axon_webhook_events_total\{client="banban",flow="sales",action="register_sale",outcome="processed"\} \d+/,
    );
    const m = await graphql(
      t,
      `
        {
          integrationMetrics(client: "banban", window: 3600) {
            flow
            total
            processed
            errors
            throughput
            errorRate
            p50Ms
            p95Ms
            p99Ms
            lagP50Ms
            lagP99Ms
          }
        }
      `,
    );
    const sales = m.body.data.integrationMetrics[0];
    expect(sales.flow).toBe('sales');
    expect(sales.processed).toBeGreaterThan(5);
    expect(sales.errors).toBeGreaterThanOrEqual(2);
    expect(sales.p50Ms).toBeGreaterThan(0);
    expect(sales.p99Ms).toBeGreaterThanOrEqual(sales.p95Ms);
    expect(sales.p95Ms).toBeGreaterThanOrEqual(sales.p50Ms);
    expect(sales.lagP99Ms).toBeGreaterThanOrEqual(sales.lagP50Ms);
    const foreign = await graphql(
      t,
      `
        {
          integrationMetrics(client: "other-co") {
            flow
          }
        }
      `,
    );
    expect(foreign.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});
