import { CLIENTS } from '../../src/clients/registry';
import { FLOWS } from '../../src/webhooks/flows';
import { fixture } from '../../test/support/fixtures';
import { postWebhook } from '../../test/support/http';
import { startTestApp, TestApp } from '../../test/support/test-app';

const CLIENT = '__client__';
const FLOW = 'sales' as const; // generator: flow
const flow = FLOWS[FLOW];

let t: TestApp;
let apiKey: string;
beforeAll(async () => {
  t = await startTestApp();
  apiKey = (await t.services.apiKeys.issue({ clientId: CLIENT, name: 'test' })).key;
});
afterAll(() => t.close());

const post = (body: unknown) => postWebhook(t, flow.path, body, { 'x-api-key': apiKey });

describe(`${CLIENT} on ${flow.path}`, () => {
  it('is registered with the flow enabled and mapped', () => {
    expect(CLIENTS[CLIENT].flows).toContain(FLOW);
    expect(CLIENTS[CLIENT].mappings?.[FLOW]?.flow).toBe(FLOW);
  });

  // Each canonical fixture, in the contract's order, goes through the client's mapping and passes
  // both contracts; it is recorded under the client. The flow's own rules then decide: applied, or
  // refused with a business code (out of order, state, stock) when its predecessors are not there
  // on this fresh database (e.g. a return of a sale this client never sent), or 503 when the action
  // needs something the new client has not configured yet (an ETL source).
  it.each(Object.keys(flow.actions))('takes %s through the mapping and records it under the client', async (action) => {
    const res = await post(fixture(flow.path, action));
    if (res.status === 200 || res.status === 202) expect(res.body).toMatchObject({ ok: true, action });
    else {
      expect([404, 409, 422, 503]).toContain(res.status);
      expect(['GW_UNKNOWN_FLOW', 'GW_NOT_FOUND']).not.toContain(res.body.error.code);
    }
    const { rows } = await t.db.query(`select client_id from webhook_events where id = $1`, [res.body.eventId]);
    expect(rows[0].client_id).toBe(CLIENT);
  });

  it('refuses fields outside the contract with their paths, and writes nothing', async () => {
    const first = Object.keys(flow.actions)[0];
    const f = fixture(flow.path, first);
    const res = await post({ ...f, data: { ...f.data, not_in_contract: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('GW_VALIDATION_FAILED');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain('data');
    const { rows } = await t.db.query(`select status from webhook_events where id = $1`, [res.body.eventId]);
    expect(rows[0].status).toBe('rejected');
  });
});
