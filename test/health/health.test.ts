import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { fixture, variant } from '../support/fixtures';
import { integrationHealth, postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { bearer, JWT_ENV, opsToken } from '../security/tokens';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ...JWT_ENV, HEALTH_MIN_EVENTS: '4', HEALTH_ERROR_RATE_THRESHOLD: '0.25' });
});
afterAll(() => t.close());

describe('health', () => {
  it('live and ready', async () => {
    expect((await t.app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ url: '/health/ready' })).json()).toEqual({ status: 'ok', store: 'up' });
  });

  it('integrations: computed from webhook_events — ok, last success, then degraded by errors', async () => {
    const { body: empty } = await integrationHealth(t);
    expect(empty).toMatchObject({
      client: 'banban',
      status: 'ok',
      store: 'up',
      flows: { sales: { status: 'ok', last_success: null, error_rate: 0 } },
    });

    await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    const { body: ok } = await integrationHealth(t);
    expect(ok.flows.sales.status).toBe('ok');
    expect(Date.parse(ok.flows.sales.last_success)).toBeGreaterThan(Date.now() - 60_000);
    expect(ok.flows.sales.events_in_window).toBe(1);

    for (let i = 0; i < 3; i++)
      await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { total: 'x' }));
    const { body: degraded } = await integrationHealth(t);
    expect(degraded.flows.sales).toMatchObject({
      status: 'degraded',
      events_in_window: 4,
      errors_in_window: 3,
      error_rate: 0.75,
    });
    expect(degraded.status).toBe('degraded');
  });

  it(
    'an unknown client is a coded 404 for ops (a tenant ' + 'asking for another client is refused first: 403)',
    async () => {
      const ops = await integrationHealth(t, 'nobody', bearer(await opsToken()));
      expect([ops.status, ops.body.error.code]).toEqual([404, 'GW_NOT_FOUND']);
      const tenant = await integrationHealth(t, 'nobody');
      expect([tenant.status, tenant.body.error.code]).toEqual([403, 'GW_FORBIDDEN']);
    },
  );
});

describe('structured logs', () => {
  it(
    'writes webhook.received and webhook.processed lines with client, ' + 'flow, action, size, eventId and duration',
    async () => {
      const lines: any[] = [];
      const sink = new Writable({
        write(chunk, _enc, cb) {
          for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
          cb();
        },
      });
      const { server } = await buildApp({
        config: { ...t.config, logLevel: 'info' },
        db: t.db,
        services: t.services,
        logStream: sink,
      });
      const res = await server.inject({
        method: 'POST',
        url: '/api/v1/webhooks/sales-flow',
        headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
        payload: JSON.stringify(variant('sales-flow', 'register_sale', { sale_id: 'LOG-1' })),
      });
      await server.close();
      const eventId = res.json().eventId;
      const received = lines.find((l) => l.msg === 'webhook.received');
      const processed = lines.find((l) => l.msg === 'webhook.processed');
      expect(received).toMatchObject({
        client: 'banban',
        flow: 'sales',
        action: 'register_sale',
        eventId,
        payload_size: expect.any(Number),
      });
      expect(processed).toMatchObject({ eventId, status: 200, duration_ms: expect.any(Number) });
    },
  );
});

describe('health window count', () => {
  it(
    'is answered from the webhook_events_flow index alone (an index-only scan, ' + 'whatever the window holds)',
    async () => {
      await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'V-HEALTH-IOS' }));
      const client = await t.db.pool.connect();
      const explain = async () => {
        // VACUUM can only mark the page all-visible once no snapshot in this database (the gateway's
        // own background jobs) still sees the rows as in progress; until then the scan visits the heap.
        await client.query('vacuum (analyze) webhook_events');
        await client.query('begin');
        await client.query('set local enable_seqscan = off');
        await client.query('set local enable_bitmapscan = off');
        const { rows } = await client.query(
          `explain (analyze, costs off)
           select count(*) filter (where status <> 'duplicate'),
                  count(*) filter (where status in ('rejected', 'failed', 'dead'))
             from webhook_events e
            where e.client_id = 'banban' and e.flow = 'sales' and e.received_at > now() - make_interval(secs => 900)`,
        );
        await client.query('rollback');
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      try {
        let plan = await explain();
        for (let i = 0; i < 20 && !/Heap Fetches: 0/.test(plan); i++) {
          await new Promise((r) => setTimeout(r, 250));
          plan = await explain();
        }
        expect(plan).toContain('Index Only Scan using webhook_events_flow');
        expect(plan).toMatch(/Heap Fetches: 0/);
      } finally {
        client.release();
      }
    },
  );
});
