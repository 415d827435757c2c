import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { fixture } from '../support/fixtures';
import { Feed, listen, liveClient, untilLive, webhookProbe } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL;
if (!REDIS_URL && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('TEST_REDIS_URL is not set, and REQUIRE_SERVICES=1: the two-instance subscription tests need Redis');
}
if (!REDIS_URL) {
  console.warn(
    'SKIPPED live-two-instances: set TEST_REDIS_URL (e.g. ' +
      'redis://127.0.0.1:6379) to run the two-instance subscription tests',
  );
}
const describeWithRedis = REDIS_URL ? describe : describe.skip;

const WEBHOOK_PROCESSED = `subscription ($client: String!) {
  webhookProcessed(client: $client) { id client flow action outcome httpStatus at }
}`;
const FLOW_STATUS = `subscription ($client: String!) { flowStatusChanged(client: $client) { flow status previous } }`;

describeWithRedis('two gateway instances on one Postgres and one Redis', () => {
  let a: TestApp;
  let b: { app: Awaited<ReturnType<typeof buildApp>>; db: Database };
  let clientB: Client;
  let urlA: string;

  beforeAll(async () => {
    // A channel prefix of its own, so other test runs on the same Redis cannot interfere.
    const env = { REDIS_URL: REDIS_URL!, REDIS_CHANNEL_PREFIX: `axon-test-${randomBytes(4).toString('hex')}:` };
    a = await startTestApp(env);
    const db = new Database({ connectionString: a.database.url, max: 5 });
    const app = await buildApp({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: a.database.url, ...env }),
      db,
    });
    await app.server.ready();
    b = { app, db };
    urlA = (await listen(a.app)).replace('ws:', 'http:').replace('/graphql', '');
    clientB = liveClient(await listen(b.app.server), { 'x-api-key': a.apiKey });
  });
  afterAll(async () => {
    await clientB?.dispose();
    await b?.app.server.close();
    await b?.db.close();
    await a?.close();
  });

  it('a subscriber on instance B receives the events processed on instance A', async () => {
    const feed = new Feed(clientB, WEBHOOK_PROCESSED, { client: 'banban' });
    try {
      // Probes published on A reach B's subscriber: the Redis path is live end to end.
      await untilLive(feed, webhookProbe(a.services.events), 'webhookProcessed');
      const res = await fetch(`${urlA}/api/v1/webhooks/sales-flow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': a.apiKey },
        body: JSON.stringify(fixture('sales-flow', 'register_sale')),
      });
      expect(res.status).toBe(200);
      const { eventId } = (await res.json()) as { eventId: string };
      const { data } = await feed.next();
      // Through Redis the payload is JSON: the time arrives as the ISO string it was published as.
      expect(data?.webhookProcessed).toEqual({
        id: eventId,
        client: 'banban',
        flow: 'sales',
        action: 'register_sale',
        outcome: 'PROCESSED',
        httpStatus: 200,
        at: expect.stringMatching(/Z$/),
      });
    } finally {
      feed.close();
    }
  });

  it('a flow turning degraded on A is announced once, not once per instance', async () => {
    const feed = new Feed(clientB, FLOW_STATUS, { client: 'banban' });
    const clientA = liveClient(await listen(a.app), { 'x-api-key': a.apiKey });
    const feedA = new Feed(clientA, FLOW_STATUS, { client: 'banban' });
    try {
      const probe = (id: string) =>
        a.services.events.publish('flow-status', 'banban', {
          clientId: 'banban',
          flow: id,
          status: 'ok',
          previous: null,
          at: new Date().toISOString(),
        });
      await untilLive(feed, probe, 'flowStatusChanged');
      await untilLive(feedA, probe, 'flowStatusChanged');
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${urlA}/api/v1/webhooks/sales-flow`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': a.apiKey },
          body: JSON.stringify({ action: 'register_sale', data: { sale_id: `BAD-${i}` } }),
        });
        expect(res.status).toBe(400);
      }
      expect((await feed.next()).data?.flowStatusChanged).toEqual({
        flow: 'sales',
        status: 'DEGRADED',
        previous: 'OK',
      });
      expect((await feedA.next()).data?.flowStatusChanged).toEqual({
        flow: 'sales',
        status: 'DEGRADED',
        previous: 'OK',
      });
      await new Promise((r) => setTimeout(r, 750)); // B's monitor saw A's events but did not recompute or re-announce
      expect(feed.pending()).toEqual([]);
      expect(feedA.pending()).toEqual([]);
    } finally {
      feed.close();
      feedA.close();
      await clientA.dispose();
    }
  });
});
