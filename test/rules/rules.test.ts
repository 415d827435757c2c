import { afterBackgroundWork } from '../support/quiet';
import { parse, subscribe } from 'graphql';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { OUTBOUND_WEBHOOK_DEAD_QUEUE } from '../../src/rules/reaction-queue';
import { buildGatewaySchema } from '../../src/schema/build-schema';
import { createContext } from '../../src/schema/context';
import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { opsData, opsGraphql } from '../support/ops';
import { startTestApp, TestApp } from '../support/test-app';
import { eventually } from '../support/eventually';

const SECRET = `whsec_${Buffer.from('a-test-secret-of-32-bytes-length').toString('base64')}`;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A real local HTTP server: answers `status` (or holds the request until `release()`, when hold)
 * and records what it got.
 */
async function target(status: number, opts: { hold?: boolean } = {}) {
  const received: Received[] = [];
  const held: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const answer = () => res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      if (opts.hold) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    held,
    release: () => held.splice(0).forEach((answer) => answer()),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let t: TestApp;
let seq = 0;

const CREATE = `mutation ($input: RuleInput!) {
  createRule(input: $input) { id name eventType enabled conditions actions } }`;
async function rule(name: string, eventType: string, conditions: object, actions: object[]): Promise<string> {
  return (await opsData(t, CREATE, { input: { name, eventType, conditions, actions } })).createRule.id;
}

async function firings(ruleId: string) {
  return (
    await opsData(
      t,
      `query ($r: ID) { ruleFirings(ruleId: $r) { eventType eventKey outcome results facts durationMs } }`,
      { r: ruleId },
    )
  ).ruleFirings as Array<any>;
}

async function sale(patch: Record<string, unknown> = {}): Promise<string> {
  const id = `V-RULE-${++seq}`;
  const r = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: id, ...patch }));
  expect(r.status).toBe(200);
  return id;
}

/** A delivery of a flow that is not on this branch, stored as the pipeline stores a processed one. */
async function processedEvent(flow: string, action: string, data: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  const payload = { action, data };
  await t.db.query(
    `insert into webhook_events (id, client_id, flow, action, idempotency_key, payload_hash, payload, raw_body, status,
                                http_status, received_at, processed_at, duration_ms)
     values ($1, 'banban', $2, $3, $4, 'test', $5, $6, 'processed', 200, now(), now(), 1)`,
    [id, flow, action, `test:${id}`, JSON.stringify(payload), JSON.stringify(payload)],
  );
  return id;
}

async function settle(): Promise<void> {
  await afterBackgroundWork(t);
}

beforeAll(async () => {
  t = await startTestApp({
    RULES_WEBHOOK_ATTEMPTS: '2',
    RULES_WEBHOOK_RETRY_DELAY_SECONDS: '1',
    RULES_BREAKER_THRESHOLD: '2',
    RULES_BREAKER_HALF_OPEN_SECONDS: '60',
    RULES_WEBHOOK_TIMEOUT_MS: '1500',
    METRICS_AGGREGATE_INTERVAL_SECONDS: '0',
  });
});

afterAll(async () => {
  await t.close();
});

describe('rules through GraphQL (ops)', () => {
  it('creates, lists, updates and enables rules; secrets are never shown', async () => {
    const id = await rule(
      'crud',
      'SALE_REGISTERED',
      { all: [{ fact: 'saleId', operator: 'equal', value: 'nothing' }] },
      [{ type: 'webhook', url: 'http://127.0.0.1:9/x', secret: SECRET }],
    );
    const listed = (await opsData(t, `{ rules(eventType: SALE_REGISTERED) { id name enabled actions } }`)).rules;
    expect(listed).toContainEqual({
      id,
      name: 'crud',
      enabled: true,
      actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/x', secret: '••••' }],
    });
    const updated = (
      await opsData(t, `mutation ($id: ID!) { updateRule(id: $id, input: { name: "crud2" }) { name eventType } }`, {
        id,
      })
    ).updateRule;
    expect(updated).toEqual({ name: 'crud2', eventType: 'SALE_REGISTERED' });
    const disabled = (
      await opsData(t, `mutation ($id: ID!) { setRuleEnabled(id: $id, enabled: false) { enabled } }`, { id })
    ).setRuleEnabled;
    expect(disabled.enabled).toBe(false);
    expect((await opsData(t, `{ rules(enabled: false) { name } }`)).rules).toEqual([{ name: 'crud2' }]);
  });

  it('refuses conditions json-rules-engine cannot run and malformed actions, with field paths', async () => {
    const bad = await opsGraphql(t, CREATE, {
      input: {
        name: 'bad',
        eventType: 'SALE_REGISTERED',
        conditions: { all: [{ fact: 'total', operator: 'nope', value: 1 }] },
        actions: [{ type: 'task', title: 'x' }],
      },
    });
    expect(bad.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
    expect((bad.errors?.[0].extensions as any).issues[0].path).toBe('input.conditions');
    const badAction = await opsGraphql(t, CREATE, {
      input: {
        name: 'bad2',
        eventType: 'SALE_REGISTERED',
        conditions: { all: [] },
        actions: [{ type: 'webhook', url: 'ftp://x', secret: 'plain' }],
      },
    });
    expect(badAction.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
    expect((badAction.errors?.[0].extensions as any).issues.map((i: any) => i.path)).toEqual(
      expect.arrayContaining(['input.actions.0.url', 'input.actions.0.secret']),
    );
  });

  it('a rule for an unknown client is a 404 code', async () => {
    const r = await opsGraphql(t, CREATE, {
      input: {
        client: 'nobody',
        name: 'x',
        eventType: 'SALE_REGISTERED',
        conditions: { all: [] },
        actions: [{ type: 'task', title: 'x' }],
      },
    });
    expect(r.errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
  });

  it('is ops-only: an app key cannot create or list rules', async () => {
    const r = await graphql(
      t,
      `
        {
          rules {
            id
          }
        }
      `,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});

describe('dry run', () => {
  it('tests a stored rule or a draft against a sample event without acting or recording', async () => {
    const id = await rule(
      'dry',
      'PAYMENT_REGISTERED',
      { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 1000 }] },
      [
        { type: 'alert', severity: 'critical', message: 'Payment of {{amount}} on {{saleId}}' },
        { type: 'task', title: 'check {{saleId}}' },
      ],
    );
    const TEST = `mutation ($input: RuleTestInput!) { testRule(input: $input) { matched actions facts } }`;
    const yes = (await opsData(t, TEST, { input: { ruleId: id, event: { facts: { amount: 1500, saleId: 'V-1' } } } }))
      .testRule;
    expect(yes.matched).toBe(true);
    expect(yes.actions).toEqual([
      { type: 'alert', severity: 'critical', message: 'Payment of 1500 on V-1' },
      { type: 'task', title: 'check V-1' },
    ]);
    const no = (await opsData(t, TEST, { input: { ruleId: id, event: { facts: { amount: 10 } } } })).testRule;
    expect(no).toMatchObject({ matched: false, actions: [] });
    const draft = (
      await opsData(t, TEST, {
        input: {
          rule: {
            name: 'draft',
            eventType: 'STOCK_LEVEL',
            conditions: { all: [{ fact: 'quantity', operator: 'lessThan', value: 3 }] },
            actions: [{ type: 'tag_customer', tag: 'x' }],
          },
          event: { facts: { quantity: 2 } },
        },
      })
    ).testRule;
    expect(draft.matched).toBe(true);
    expect(await firings(id)).toEqual([]);
    expect((await opsData(t, `{ ruleTasks { title } }`)).ruleTasks).toEqual([]);
  });
});

describe('rules fire after commit, once, for each event type', () => {
  it('SALE_REGISTERED: fires an alert (subscription) and a task for a big sale, not for a small one', async () => {
    const id = await rule(
      'big sale',
      'SALE_REGISTERED',
      { all: [{ fact: 'total', operator: 'greaterThan', value: 1000 }] },
      [
        { type: 'alert', severity: 'warning', message: 'Big sale {{saleId}} of {{total}} at {{storeCode}}' },
        { type: 'task', title: 'Thank the customer of {{saleId}}' },
      ],
    );
    const stream = (await subscribe({
      schema: buildGatewaySchema(),
      document: parse(`subscription { alerts { ruleName message severity eventType facts } }`),
      contextValue: createContext({
        principal: { clientId: 'banban', role: 'app', subject: 'test' },
        services: t.services,
        db: t.db,
        log: t.app.log,
      }),
    })) as AsyncIterableIterator<any>;
    const firstAlert = stream.next();

    await sale(); // 309.70
    const big = await sale({
      items: [{ sku: 'TENIS-RUN-38-PRETO', quantity: 5, unit_price: '299.90', discount: '0.00' }],
      total: '1499.50',
    });
    await settle();
    const alert = (await firstAlert).value.data.alerts;
    expect(alert).toMatchObject({
      ruleName: 'big sale',
      severity: 'warning',
      eventType: 'SALE_REGISTERED',
      message: `Big sale ${big} of 1499.5 at LJ-001`,
    });
    await stream.return?.();

    const fired = await firings(id);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      eventType: 'SALE_REGISTERED',
      outcome: 'SUCCEEDED',
      facts: { saleId: big, total: 1499.5, customer: { id: 'C-000077' } },
    });
    expect(fired[0].durationMs).toBeGreaterThan(0);
    expect((await opsData(t, `{ ruleTasks(status: "open") { title } }`)).ruleTasks).toEqual([
      { title: `Thank the customer of ${big}` },
    ]);
  });

  it('PAYMENT_REGISTERED: tags the customer for a payment in 3+ installments, not for one in 1', async () => {
    const id = await rule(
      'installments',
      'PAYMENT_REGISTERED',
      { all: [{ fact: 'installments', operator: 'greaterThanInclusive', value: 3 }] },
      [{ type: 'tag_customer', tag: 'installment-buyer' }],
    );
    const one = await sale();
    const two = await sale();
    const p1 = await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_payment', { sale_id: one, payment_id: `P-${one}`, installments: 1 }),
    );
    const p3 = await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_payment', { sale_id: two, payment_id: `P-${two}`, installments: 3 }),
    );
    expect([p1.status, p3.status]).toEqual([200, 200]);
    await settle();
    const fired = await firings(id);
    expect(fired.map((f) => f.facts.paymentId)).toEqual([`P-${two}`]);
    expect(fired[0].results).toEqual([
      { type: 'tag_customer', ok: true, detail: { customerId: 'C-000077', tag: 'installment-buyer', added: true } },
    ]);
    const { rows } = await t.db.query(
      `select tag from customer_tags where client_id = 'banban' and customer_id = 'C-000077'`,
    );
    expect(rows).toEqual([{ tag: 'installment-buyer' }]);
  });

  it("SALE_CANCELLED: conditions see the customer's RFM segment and tags", async () => {
    const id = await rule(
      'cancel by tagged',
      'SALE_CANCELLED',
      {
        all: [
          { fact: 'reason', operator: 'equal', value: 'fraud' },
          { fact: 'customer', path: '$.tags', operator: 'contains', value: 'installment-buyer' },
        ],
      },
      [{ type: 'task', title: 'Review {{saleId}} ({{customer.segment}})' }],
    );
    const a = await sale();
    const b = await sale();
    await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_cancellation', { sale_id: a, reason: 'customer_gave_up' }),
    );
    await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: b, reason: 'fraud' }));
    await settle();
    const fired = await firings(id);
    expect(fired.map((f) => f.facts.saleId)).toEqual([b]);
    expect(fired[0].facts.customer.segment).toEqual(expect.any(String)); // re-scored before the rules ran
  });

  it('RETURN_REGISTERED: fires for a return of 2+ units, not for 1', async () => {
    const id = await rule(
      'big return',
      'RETURN_REGISTERED',
      { all: [{ fact: 'quantity', operator: 'greaterThanInclusive', value: 2 }] },
      [{ type: 'alert', severity: 'info', message: 'Return {{returnId}}' }],
    );
    const s = await sale();
    const base = fixture('returns-flow', 'register_return').data;
    const small = await processedEvent('returns', 'register_return', { ...base, return_id: 'DV-1', sale_id: s });
    const big = await processedEvent('returns', 'register_return', {
      ...base,
      return_id: 'DV-2',
      sale_id: s,
      items: [{ sku: 'MEIA-ESP-UN', quantity: 2, reason: 'wrong_size' }],
    });
    await t.services.evaluateEvent({ kind: 'webhook', clientId: 'banban', webhookEventId: small });
    await t.services.evaluateEvent({ kind: 'webhook', clientId: 'banban', webhookEventId: big });
    const fired = await firings(id);
    expect(fired.map((f) => f.facts.returnId)).toEqual(['DV-2']);
    expect(fired[0].facts).toMatchObject({ saleId: s, quantity: 2, customerId: 'C-000077' });
  });

  it('TRANSFER_RECEIVED_WITH_DIVERGENCE: fires when received ≠ sent, not when they match', async () => {
    const id = await rule(
      'divergence',
      'TRANSFER_RECEIVED_WITH_DIVERGENCE',
      { all: [{ fact: 'missingUnits', operator: 'greaterThan', value: 0 }] },
      [{ type: 'task', title: 'Transfer {{transferId}}: {{missingUnits}} missing' }],
    );
    const created = fixture('transfer-flow', 'create_transfer').data;
    const received = fixture('transfer-flow', 'receive_at_store').data; // 14 of 15 TENIS-RUN-39-PRETO
    await processedEvent('transfer', 'create_transfer', created);
    const diverging = await processedEvent('transfer', 'receive_at_store', received);
    await processedEvent('transfer', 'create_transfer', { ...created, transfer_id: 'TR-OK' });
    const matching = await processedEvent('transfer', 'receive_at_store', {
      ...received,
      transfer_id: 'TR-OK',
      items: created.items,
    });
    await t.services.evaluateEvent({ kind: 'webhook', clientId: 'banban', webhookEventId: matching });
    await t.services.evaluateEvent({ kind: 'webhook', clientId: 'banban', webhookEventId: diverging });
    const fired = await firings(id);
    expect(fired).toHaveLength(1);
    expect(fired[0].facts).toMatchObject({
      transferId: 'TR-2026-0789',
      missingUnits: 1,
      divergences: [{ sku: 'TENIS-RUN-39-PRETO', sent: 15, received: 14, divergence: -1 }],
    });
  });

  it('STOCK_LEVEL: "stock below a level" fires per position the delivery moved below it, not for others', async () => {
    const id = await rule(
      'low stock',
      'STOCK_LEVEL',
      {
        all: [
          { fact: 'sku', operator: 'equal', value: 'BOTA-LOW-40' },
          { fact: 'quantity', operator: 'lessThan', value: -1 },
        ],
      },
      [{ type: 'alert', severity: 'critical', message: '{{sku}} at {{locationCode}}: {{quantity}}' }],
    );
    const item = { sku: 'BOTA-LOW-40', quantity: 1, unit_price: '100.00', discount: '0.00' };
    await sale({ items: [item], total: '100.00' }); // → -1: not below -1
    await sale({ items: [item], total: '100.00' }); // → -2
    await settle();
    const fired = await firings(id);
    expect(fired).toHaveLength(1);
    expect(fired[0].facts).toMatchObject({
      sku: 'BOTA-LOW-40',
      locationCode: 'LJ-001',
      quantity: -2,
      delta: -1,
      action: 'register_sale',
    });
    expect(fired[0].eventKey).toMatch(/:LJ-001:BOTA-LOW-40$/);
  });

  it('BREAKER_OPENED: fires when a breaker opens, not when it closes', async () => {
    const id = await rule(
      'breaker',
      'BREAKER_OPENED',
      { all: [{ fact: 'name', operator: 'equal', value: 'connector:erp-db' }] },
      [{ type: 'task', title: '{{name}} is open' }],
    );
    t.services.events.publish('circuit-state', 'banban', {
      clientId: 'banban',
      name: 'connector:erp-db',
      state: 'closed',
      previous: 'open',
      at: new Date().toISOString(),
    });
    t.services.events.publish('circuit-state', 'banban', {
      clientId: 'banban',
      name: 'connector:erp-db',
      state: 'open',
      previous: 'closed',
      at: new Date().toISOString(),
    });
    // the bus hands the change to the queue asynchronously: wait for the firing, then for the queue
    await eventually(async () => (await firings(id)).length > 0);
    await settle();
    const fired = await firings(id);
    expect(fired).toHaveLength(1);
    expect(fired[0].facts).toMatchObject({ name: 'connector:erp-db', previous: 'closed' });
  });

  it('fires at most once per event, even when the event is evaluated again', async () => {
    const id = await rule(
      'once',
      'SALE_REGISTERED',
      { all: [{ fact: 'saleId', operator: 'equal', value: 'V-ONCE' }] },
      [{ type: 'task', title: 'once' }],
    );
    await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'V-ONCE' }));
    await settle();
    const { rows } = await t.db.query(
      `select id from webhook_events where business_id = 'V-ONCE' and status = 'processed'`,
    );
    await t.services.evaluateEvent({ kind: 'webhook', clientId: 'banban', webhookEventId: rows[0].id });
    expect(await firings(id)).toHaveLength(1);
  });

  it('a disabled rule does not fire', async () => {
    const id = await rule('disabled', 'SALE_REGISTERED', { all: [] }, [{ type: 'task', title: 'never' }]);
    await opsData(t, `mutation ($id: ID!) { setRuleEnabled(id: $id, enabled: false) { id } }`, { id });
    await sale();
    await settle();
    expect(await firings(id)).toEqual([]);
  });
});

describe('outbound webhooks', () => {
  it('are signed with the Standard Webhooks scheme and received by a real HTTP server', async () => {
    const server = await target(204);
    try {
      const id = await rule(
        'notify erp',
        'SALE_REGISTERED',
        { all: [{ fact: 'saleId', operator: 'equal', value: 'V-HOOK' }] },
        [{ type: 'webhook', url: server.url, secret: SECRET }],
      );
      await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'V-HOOK' }));
      await settle();
      expect(server.received).toHaveLength(1);
      const { headers, body } = server.received[0];
      const verified = new Webhook(SECRET).verify(body, headers as Record<string, string>) as any;
      expect(verified).toMatchObject({
        type: 'rule.sale_registered',
        data: { rule: { id, name: 'notify erp' }, facts: { saleId: 'V-HOOK', total: 309.7 } },
      });
      expect(headers['webhook-id']).toMatch(/^rule-firing-\d+-0$/); // the firing and the action: stable across retries
      expect(() =>
        new Webhook(`whsec_${Buffer.from('another-secret-of-32-bytes-len!!').toString('base64')}`).verify(
          body,
          headers as Record<string, string>,
        ),
      ).toThrow();
      const fired = await firings(id);
      expect(fired[0]).toMatchObject({
        outcome: 'SUCCEEDED',
        results: [{ type: 'webhook', ok: true, detail: { status: 204, attempts: 1 } }],
      });
    } finally {
      await server.close();
    }
  });

  it(
    'a failing target is retried, ' + 'opens its breaker (which fires BREAKER_OPENED rules) and never affects ingest',
    async () => {
      const failing = await target(500);
      const holding = await target(200, { hold: true });
      try {
        const hook = await rule(
          'failing hook',
          'SALE_REGISTERED',
          { all: [{ fact: 'channel', operator: 'equal', value: 'ecommerce' }] },
          [
            { type: 'webhook', url: failing.url, secret: SECRET },
            { type: 'task', title: 'still recorded {{saleId}}' },
          ],
        );
        const opened = await rule(
          'hook breaker',
          'BREAKER_OPENED',
          { all: [{ fact: 'name', operator: 'equal', value: `webhook:${new URL(failing.url).origin}` }] },
          [{ type: 'task', title: 'outbound target down: {{name}}' }],
        );
        for (let i = 0; i < 3; i++) await sale({ channel: 'ecommerce' }); // each answered 200
        await settle();
        const fired = await firings(hook);
        expect(fired).toHaveLength(3);
        expect(fired.every((f) => f.outcome === 'FAILED')).toBe(true);
        // the first attempts reach the target (the worker runs a batch's jobs side by side, so up to all
        // three are in flight before two 500s open the breaker, threshold 2); every retry then fails
        // fast without a request: at most one request per job, not one per attempt
        expect(failing.received.length).toBeGreaterThanOrEqual(2);
        expect(failing.received.length).toBeLessThanOrEqual(3);
        expect(fired.map((f) => f.results[0].detail)).toEqual(
          Array(3).fill(expect.objectContaining({ attempts: 2, deadLettered: true })),
        );
        const { rows: dead } = await t.db.query(`select data from pgboss.job where name = $1`, [
          OUTBOUND_WEBHOOK_DEAD_QUEUE,
        ]);
        expect(dead.map((d) => d.data.actionIndex)).toEqual([0, 0, 0]);
        const failedOnes = (
          await opsData(t, `query ($r: ID) { ruleFirings(ruleId: $r, outcome: FAILED) { outcome } }`, { r: hook })
        ).ruleFirings;
        expect(failedOnes).toHaveLength(3);
        expect(fired.map((f) => f.results[1])).toEqual(
          Array(3).fill(expect.objectContaining({ type: 'task', ok: true })),
        );
        expect(fired.some((f) => /circuit/i.test(f.results[0].error))).toBe(true);
        expect(await firings(opened)).toHaveLength(1);

        // A target that does not answer holds only the background evaluation, never the delivery: the
        // delivery is answered while the target still holds the rule's request.
        const slow = await rule(
          'slow hook',
          'SALE_REGISTERED',
          { all: [{ fact: 'channel', operator: 'equal', value: 'marketplace' }] },
          [{ type: 'webhook', url: holding.url, secret: SECRET }],
        );
        await sale({ channel: 'marketplace' });
        await eventually(() => holding.held.length > 0);
        expect(holding.held).toHaveLength(1);
        expect((await firings(slow))[0]).toMatchObject({ outcome: 'RUNNING' });
        holding.release();
        await settle();
        expect((await firings(slow))[0]).toMatchObject({ outcome: 'SUCCEEDED' });
      } finally {
        await failing.close();
        await holding.close();
      }
    },
  );
});
