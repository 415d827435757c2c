import type { Client } from 'graphql-ws';
import { fixture, variant } from '../support/fixtures';
import { graphql, integrationHealth, postWebhook } from '../support/http';
import { Feed, listen, liveClient, untilLive, webhookProbe } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';

const WEBHOOK_PROCESSED = `subscription ($client: String!, $flow: String) {
  webhookProcessed(client: $client, flow: $flow) { id client flow action outcome httpStatus durationMs at }
}`;
const FLOW_STATUS = `subscription ($client: String!, $flow: String) {
  flowStatusChanged(client: $client, flow: $flow) { client flow status previous at }
}`;
const CIRCUIT_STATE = `subscription ($client: String!) {
  circuitStateChanged(client: $client) { client name state previous at }
}`;

let t: TestApp;
let url: string;
let client: Client;
const feeds: Feed[] = [];

function subscribe(query: string, variables: Record<string, unknown>, c: Client = client): Feed {
  const feed = new Feed(c, query, variables);
  feeds.push(feed);
  return feed;
}

beforeAll(async () => {
  t = await startTestApp();
  url = await listen(t.app);
  client = liveClient(url, { 'x-api-key': t.apiKey });
});
afterEach(() => {
  for (const f of feeds.splice(0)) f.close();
});
afterAll(async () => {
  await client?.dispose();
  await t.close();
});

async function windowCounts(): Promise<{ total: number; errors: number }> {
  const { rows } = await t.db.query<{ total: number; errors: number }>(
    `select count(*) filter (where status <> 'duplicate')::int as total,
            count(*) filter (where status in ('rejected', 'failed', 'dead'))::int as errors
       from webhook_events where client_id = 'banban' and flow = 'sales'`,
  );
  return rows[0];
}

describe('webhookProcessed', () => {
  it('delivers the outcome of a delivery to a subscriber of its client and flow', async () => {
    const feed = subscribe(WEBHOOK_PROCESSED, { client: 'banban', flow: 'sales' });
    await untilLive(feed, webhookProbe(t.services.events), 'webhookProcessed');

    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    expect(res.status).toBe(200);
    const { data } = await feed.next();
    expect(data?.webhookProcessed).toEqual({
      id: res.body.eventId,
      client: 'banban',
      flow: 'sales',
      action: 'register_sale',
      outcome: 'PROCESSED',
      httpStatus: 200,
      durationMs: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    expect(data?.webhookProcessed.durationMs).toBeGreaterThan(0);

    const refused = await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_sale', { sale_id: 'V-LIVE-1', total: '1.00' }),
    );
    expect(refused.status).toBe(422);
    const next = await feed.next();
    expect(next.data?.webhookProcessed).toMatchObject({
      id: refused.body.eventId,
      outcome: 'REJECTED',
      httpStatus: 422,
    });
  });

  it('a redelivery is reported as a duplicate of the same client', async () => {
    const feed = subscribe(WEBHOOK_PROCESSED, { client: 'banban' });
    await untilLive(feed, webhookProbe(t.services.events), 'webhookProcessed');
    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    expect(res.headers['idempotent-replayed']).toBe('true');
    const { data } = await feed.next();
    expect(data?.webhookProcessed).toMatchObject({
      client: 'banban',
      action: 'register_sale',
      outcome: 'DUPLICATE',
      httpStatus: 200,
    });
  });

  it('filters by flow: events of other flows do not reach a flow subscriber', async () => {
    const feed = subscribe(WEBHOOK_PROCESSED, { client: 'banban', flow: 'sales' });
    await untilLive(feed, webhookProbe(t.services.events), 'webhookProcessed');
    webhookProbe(t.services.events, 'banban', 'inventory')('other-flow');
    webhookProbe(t.services.events, 'banban', 'sales')('same-flow');
    const { data } = await feed.next();
    expect(data?.webhookProcessed).toMatchObject({ id: 'same-flow', flow: 'sales' });
    expect(feed.pending()).toEqual([]);
  });

  it('refuses a flow the client does not have', async () => {
    const feed = subscribe(WEBHOOK_PROCESSED, { client: 'banban', flow: 'nope' });
    const end = await feed.end();
    expect(end.results[0].errors?.[0].extensions?.code).toBe('GW_UNKNOWN_FLOW');
  });
});

describe('tenant isolation', () => {
  it("refuses a subscription to another client's events with GW_FORBIDDEN", async () => {
    for (const query of [WEBHOOK_PROCESSED, FLOW_STATUS, CIRCUIT_STATE]) {
      const end = await subscribe(query, { client: 'other' }).end();
      expect(end.results).toHaveLength(1);
      expect(end.results[0].data ?? null).toBeNull();
      expect(end.results[0].errors?.[0]).toMatchObject({
        message: 'This key may only watch its own client',
        extensions: { code: 'GW_FORBIDDEN' },
      });
      expect(end.completed).toBe(true);
    }
  });

  it("a second client's key cannot watch banban", async () => {
    await t.db.query(`insert into clients (id, name) values ('acme', 'Acme')`);
    const { key } = await t.services.apiKeys.issue({ clientId: 'acme', name: 'acme-test' });
    const acme = liveClient(url, { 'x-api-key': key });
    try {
      const refused = await subscribe(WEBHOOK_PROCESSED, { client: 'banban' }, acme).end();
      expect(refused.results[0].errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');

      // acme is not a registered client module, so even its own topic is not served…
      const own = await subscribe(WEBHOOK_PROCESSED, { client: 'acme' }, acme).end();
      expect(own.results[0].errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
    } finally {
      await acme.dispose();
    }
  });

  it('events are published per client: a banban subscriber gets banban events only', async () => {
    const feed = subscribe(CIRCUIT_STATE, { client: 'banban' });
    await untilLive(
      feed,
      (id) =>
        t.services.events.publish('circuit-state', 'banban', {
          clientId: 'banban',
          name: id,
          state: 'closed',
          previous: null,
          at: new Date().toISOString(),
        }),
      'circuitStateChanged',
    );
    t.services.events.publish('circuit-state', 'other', {
      clientId: 'other',
      name: 'sales',
      state: 'open',
      previous: 'closed',
      at: new Date().toISOString(),
    });
    t.services.events.publish('circuit-state', 'banban', {
      clientId: 'banban',
      name: 'mine',
      state: 'open',
      previous: 'closed',
      at: new Date().toISOString(),
    });
    const { data } = await feed.next();
    expect(data?.circuitStateChanged).toMatchObject({ client: 'banban', name: 'mine' });
  });
});

describe('authentication through connectionParams', () => {
  async function closeCodeWith(params: Record<string, unknown> | undefined): Promise<{ code: number; reason: string }> {
    const c = liveClient(url, params);
    try {
      const end = await new Feed(c, WEBHOOK_PROCESSED, { client: 'banban' }).end();
      return end.failure as { code: number; reason: string };
    } finally {
      await c.dispose();
    }
  }

  it('refuses a connection without credentials (4401)', async () => {
    expect(await closeCodeWith(undefined)).toMatchObject({ code: 4401 });
    expect(await closeCodeWith({})).toMatchObject({ code: 4401 });
  });

  it('refuses a connection with a wrong key (4401)', async () => {
    expect(await closeCodeWith({ 'x-api-key': 'axk_not-a-real-key' })).toMatchObject({
      code: 4401,
      reason: 'Invalid API key',
    });
    expect(await closeCodeWith({ 'x-api-key': 42 })).toMatchObject({ code: 4401 });
  });

  it('refuses a plain WebSocket without the graphql-transport-ws protocol', async () => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(url);
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(4406);
  });
});

describe('the HTTP validation rules also protect the WebSocket path', () => {
  const deep = `query Deep { sales { edges { node { customer { sales { edges { node { customer { sales { edges { node {
    customer { sales { edges { node { id } } } } } } } } } } } } } } } }`;

  it('refuses a too-deep document on both transports, with the same code and message', async () => {
    const http = await graphql(t, deep);
    expect(http.status).toBe(400);
    const httpError = http.body.errors?.[0];
    expect(httpError?.extensions?.code).toBe('GW_QUERY_LIMIT_EXCEEDED');
    expect(httpError?.message).toBe('Query depth 16 exceeds the limit of 8 (GRAPHQL_MAX_DEPTH)');

    const end = await subscribe(deep, {}).end();
    const wsErrors = end.failure as Array<{ message: string; extensions?: { code?: string } }>;
    expect(Array.isArray(wsErrors)).toBe(true);
    expect(wsErrors[0]).toMatchObject({ message: httpError!.message, extensions: { code: 'GW_QUERY_LIMIT_EXCEEDED' } });
  });

  it('refuses an invalid subscription document before subscribing', async () => {
    const end = await subscribe(`subscription { webhookProcessed(client: "banban") { nope } }`, {}).end();
    expect((end.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    const syntax = await subscribe(`subscription {`, {}).end();
    expect((syntax.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe(
      'GRAPHQL_PARSE_FAILED',
    );
  });

  it('serves subscriptions only: queries and mutations go over HTTP', async () => {
    const end = await subscribe(`query { webhookEvents(first: 1) { edges { node { id } } } }`, {}).end();
    expect((end.failure as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});

describe('flowStatusChanged', () => {
  it('fires when the flow turns degraded and again when it recovers, once per transition', async () => {
    const feed = subscribe(FLOW_STATUS, { client: 'banban' });
    await untilLive(
      feed,
      (id) =>
        t.services.events.publish('flow-status', 'banban', {
          clientId: 'banban',
          flow: id,
          status: 'ok',
          previous: null,
          at: new Date().toISOString(),
        }),
      'flowStatusChanged',
    );
    const { threshold, minEvents } = {
      threshold: t.config.health.errorRateThreshold,
      minEvents: t.config.health.minEvents,
    };

    // Enough refused deliveries to pass the error-rate threshold with at least minEvents in the window.
    let { total, errors } = await windowCounts();
    let i = 0;
    while (total < minEvents || errors / total <= threshold) {
      const res = await postWebhook(t, 'sales-flow', { action: 'register_sale', data: { sale_id: `BAD-${i++}` } });
      expect(res.status).toBe(400);
      ({ total, errors } = await windowCounts());
    }
    const degraded = await feed.next();
    expect(degraded.data?.flowStatusChanged).toMatchObject({
      client: 'banban',
      flow: 'sales',
      status: 'DEGRADED',
      previous: 'OK',
    });
    const health = await integrationHealth(t);
    expect(health.body.flows.sales.status).toBe('degraded');

    // Good deliveries bring the error rate back under the threshold.
    let n = 0;
    while (errors / total > threshold) {
      const res = await postWebhook(
        t,
        'sales-flow',
        variant('sales-flow', 'register_sale', { sale_id: `V-RECOVER-${n++}` }),
      );
      expect(res.status).toBe(200);
      ({ total, errors } = await windowCounts());
    }
    const recovered = await feed.next();
    expect(recovered.data?.flowStatusChanged).toMatchObject({ status: 'OK', previous: 'DEGRADED' });
    await new Promise((r) => setTimeout(r, 600)); // two monitor intervals: nothing more to announce
    expect(feed.pending()).toEqual([]);
  });
});

describe('circuitStateChanged', () => {
  it('delivers the transitions published on the event bus', async () => {
    const feed = subscribe(CIRCUIT_STATE, { client: 'banban' });
    await untilLive(
      feed,
      (id) =>
        t.services.events.publish('circuit-state', 'banban', {
          clientId: 'banban',
          name: id,
          state: 'closed',
          previous: null,
          at: new Date().toISOString(),
        }),
      'circuitStateChanged',
    );
    const at = new Date().toISOString();
    t.services.events.publish('circuit-state', 'banban', {
      clientId: 'banban',
      name: 'connector:erp-db',
      state: 'open',
      previous: 'closed',
      at,
    });
    t.services.events.publish('circuit-state', 'banban', {
      clientId: 'banban',
      name: 'connector:erp-db',
      state: 'half_open',
      previous: 'open',
      at,
    });
    expect((await feed.next()).data?.circuitStateChanged).toEqual({
      client: 'banban',
      name: 'connector:erp-db',
      state: 'OPEN',
      previous: 'CLOSED',
      at,
    });
    expect((await feed.next()).data?.circuitStateChanged).toMatchObject({ state: 'HALF_OPEN', previous: 'OPEN' });
  });
});

describe('closing the gateway', () => {
  it('says goodbye (1001) to open sockets and releases its listeners', async () => {
    const other = await startTestApp();
    try {
      const otherUrl = await listen(other.app);
      const c = liveClient(otherUrl, { 'x-api-key': other.apiKey });
      const feed = new Feed(c, WEBHOOK_PROCESSED, { client: 'banban' });
      await untilLive(feed, webhookProbe(other.services.events), 'webhookProcessed');
      await other.app.close();
      const end = await feed.end();
      expect(end.failure).toMatchObject({ code: 1001 });
      await c.dispose();
    } finally {
      await other.database.drop();
    }
  });
});
