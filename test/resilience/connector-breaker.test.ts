import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CircuitStateEvent } from '../../src/subscriptions/hub-events';
import { eventually } from '../support/eventually';
import { graphql, integrationHealth, scrapeMetrics } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

/** A real outbound dependency on a local port whose health the test switches. */
let healthy = false;
let server: Server;
let url: string;
let t: TestApp;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(healthy ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: healthy }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stock`;
  t = await startTestApp({
    BREAKER_HALF_OPEN_AFTER_MS: '400',
    POLICY_RETRY_ATTEMPTS: '1',
    POLICY_RETRY_INITIAL_DELAY_MS: '5',
    QUEUE_WORKERS: '0',
  });
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => server.close(r));
});

/** How a connector calls out: through its client's policy, failing on any non-2xx. */
async function callErp(): Promise<unknown> {
  return t.services.policies.forConnector('banban', 'erp-api').execute(async (signal) => {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`erp-api answered ${res.status}`);
    return res.json();
  });
}

it(
  'a failing connector opens its breaker, health turns down, ' + 'the transition is published, recovery closes it',
  async () => {
    const seen: CircuitStateEvent[] = [];
    const sub = t.services.events.subscribe('circuit-state', 'banban');
    const consuming = (async () => {
      for await (const e of sub) {
        seen.push(e);
        if (e.state === 'closed') break;
      }
    })();

    for (let i = 0; i < 5; i++) await expect(callErp()).rejects.toThrow('erp-api answered 500');
    await expect(callErp()).rejects.toThrow(/circuit/i); // open: refused without calling out

    const down = await integrationHealth(t);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'down',
      store: 'up',
      connectors: { 'erp-api': { status: 'down', circuit: 'open' } },
    });
    const breakers = await graphql(
      t,
      `
        {
          circuitBreakers {
            name
            scope
            state
            failures
            rejections
            transitions
          }
        }
      `,
    );
    expect(breakers.body.data.circuitBreakers).toContainEqual({
      name: 'connector:erp-api',
      scope: 'connector',
      state: 'OPEN',
      failures: 5,
      rejections: 1,
      transitions: 1,
    });
    const metrics = await scrapeMetrics(t);
    expect(metrics.body).toContain('axon_circuit_state{client="banban",scope="connector",name="connector:erp-api"} 1');
    expect(metrics.body).toContain(
      'axon_circuit_transitions_total{client="banban",scope="connector",name="connector:erp-api",state="open"} 1',
    );

    healthy = true;
    await new Promise((r) => setTimeout(r, 450));
    await expect(callErp()).resolves.toEqual({ ok: true }); // the half-open trial
    await consuming;
    expect(seen.map((e) => `${e.previous}→${e.state}`)).toEqual(['closed→open', 'open→half_open', 'half_open→closed']);
    expect(seen[0]).toMatchObject({ clientId: 'banban', name: 'connector:erp-api' });

    const up = await eventually(async () => {
      const res = await integrationHealth(t);
      expect(res.status).toBe(200);
      return res.body;
    });
    expect(up.connectors['erp-api']).toEqual({ status: 'ok', circuit: 'closed' });
  },
);
