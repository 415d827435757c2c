import { CLIENTS } from '../../src/clients/registry';
import { fixture, variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const sale = (id: string, patch: Record<string, unknown> = {}) =>
  variant('sales-flow', 'register_sale', { sale_id: id, ...patch });
const payment = (saleId: string, paymentId: string, amount: string) =>
  variant('sales-flow', 'register_payment', { sale_id: saleId, payment_id: paymentId, amount });
const cancellation = (saleId: string) => variant('sales-flow', 'register_cancellation', { sale_id: saleId });

async function count(table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, values);
  return rows[0].n;
}

async function stock(location: string, sku: string): Promise<number> {
  const { rows } = await t.db.query<{ q: number }>(
    `select coalesce(sum(quantity_delta), 0)::int as q from inventory_movements
      where client_id = 'banban' and location_code = $1 and sku = $2`,
    [location, sku],
  );
  const level = await t.db.query<{ quantity: number }>(
    `select quantity from stock_levels where client_id = 'banban' and location_code = $1 and sku = $2`,
    [location, sku],
  );
  expect(level.rows[0]?.quantity ?? 0).toBe(rows[0].q); // the running stock always equals the ledger sum
  return rows[0].q;
}

describe('the three fixtures, as the ERP sends them', () => {
  it('registers the sale, normalised: UTC times, exact money, stock decremented at the store', async () => {
    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      action: 'register_sale',
      eventId: expect.any(String),
      result: {
        id: 'V-2026-000123',
        status: 'OPEN',
        total: '309.70',
        paidAmount: '0.00',
        soldAt: '2026-11-28T17:32:10.000Z',
        storeCode: 'LJ-001',
      },
    });
    const { rows } = await t.db.query(`select sold_at, total::text from sales where id = 'V-2026-000123'`);
    expect(rows[0].sold_at.toISOString()).toBe('2026-11-28T17:32:10.000Z');
    expect(rows[0].total).toBe('309.70');
    expect(await stock('LJ-001', 'TENIS-RUN-38-PRETO')).toBe(-1);
    expect(await stock('LJ-001', 'MEIA-ESP-UN')).toBe(-2);
    // a sale is a fact: recorded even though stock went below zero, and flagged for ops
    expect(await count('inventory_movements', `source_id = 'V-2026-000123' and below_zero`)).toBe(2);
    const event = await t.db.query(
      `select status, flow, action, idempotency_key, business_id, http_status, raw_body from webhook_events
       where id = $1`,
      [res.body.eventId],
    );
    expect(event.rows[0]).toMatchObject({
      status: 'processed',
      flow: 'sales',
      action: 'register_sale',
      idempotency_key: 'biz:register_sale:V-2026-000123',
      business_id: 'V-2026-000123',
      http_status: 200,
    });
    expect(event.rows[0].raw_body).toContain('"V-2026-000123"');
  });

  it('registers the payment, which settles the sale', async () => {
    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_payment'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      id: 'P-2026-000555',
      amount: '309.70',
      installments: 3,
      paidAt: '2026-11-28T17:33:02.000Z',
      sale: { status: 'PAID', paidAmount: '309.70' },
    });
  });

  it('registers the cancellation, which puts the goods back', async () => {
    const res = await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_cancellation'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      id: 'V-2026-000123',
      status: 'CANCELLED',
      cancellationReason: 'customer_gave_up',
      cancelledAt: '2026-11-28T18:10:00.000Z',
    });
    expect(await stock('LJ-001', 'TENIS-RUN-38-PRETO')).toBe(0);
    expect(await stock('LJ-001', 'MEIA-ESP-UN')).toBe(0);
  });
});

describe('payments and cancellations', () => {
  it('accumulates partial payments open → paid and refuses over-payment with the open balance', async () => {
    expect((await postWebhook(t, 'sales-flow', sale('S-PAY-1'))).status).toBe(200);
    const first = await postWebhook(t, 'sales-flow', payment('S-PAY-1', 'P-1a', '100.00'));
    expect(first.body.result.sale).toMatchObject({ status: 'OPEN', paidAmount: '100.00' });
    const over = await postWebhook(t, 'sales-flow', payment('S-PAY-1', 'P-1b', '209.71'));
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'GW_OVERPAYMENT', details: { remaining: '209.70' } });
    const rest = await postWebhook(t, 'sales-flow', payment('S-PAY-1', 'P-1c', '209.70'));
    expect(rest.body.result.sale).toMatchObject({ status: 'PAID', paidAmount: '309.70' });
    expect(await count('payments', `sale_id = 'S-PAY-1'`)).toBe(2);
  });

  it(
    'a payment before its sale is a coded 409 naming what is missing, ' + 'and succeeds once the sale arrives',
    async () => {
      const early = await postWebhook(t, 'sales-flow', payment('S-LATE', 'P-LATE', '10.00'));
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({
        code: 'GW_PREDECESSOR_MISSING',
        details: { missing: { sale_id: 'S-LATE' } },
      });
      await postWebhook(t, 'sales-flow', sale('S-LATE'));
      const retried = await postWebhook(t, 'sales-flow', payment('S-LATE', 'P-LATE', '10.00'));
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
    },
  );

  it('cancelling an unknown sale is a coded 404', async () => {
    const res = await postWebhook(t, 'sales-flow', cancellation('S-NOPE'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('GW_SALE_NOT_FOUND');
  });

  it('a cancellation reverses stock exactly once, even when redelivered under new ids', async () => {
    await postWebhook(t, 'sales-flow', sale('S-CAN', { store_code: 'LJ-CAN' }));
    expect(await stock('LJ-CAN', 'MEIA-ESP-UN')).toBe(-2);
    for (const id of ['c-1', 'c-2', 'c-3']) {
      const res = await postWebhook(t, 'sales-flow', cancellation('S-CAN'), { 'webhook-id': id });
      expect(res.status).toBe(200);
      expect(res.body.result.status).toBe('CANCELLED');
    }
    expect(await stock('LJ-CAN', 'MEIA-ESP-UN')).toBe(0);
    expect(await count('inventory_movements', `source_type = 'sale_cancellation' and source_id = 'S-CAN'`)).toBe(2);
  });

  it('a cancelled sale takes no payments', async () => {
    const res = await postWebhook(t, 'sales-flow', payment('S-CAN', 'P-CAN', '1.00'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('GW_INVALID_STATE');
  });
});

describe('idempotency', () => {
  it('a redelivery returns the first response, marked as a replay, and writes nothing', async () => {
    const body = sale('S-IDEM');
    const first = await postWebhook(t, 'sales-flow', body, { 'webhook-id': 'msg_idem_1' });
    const movements = await count('inventory_movements');
    const second = await postWebhook(t, 'sales-flow', body, { 'webhook-id': 'msg_idem_1' });
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await count('inventory_movements')).toBe(movements);
    expect(await count('webhook_events', `idempotency_key = 'wh:msg_idem_1' and status = 'duplicate'`)).toBe(1);
  });

  it('Idempotency-Key works like webhook-id', async () => {
    const body = sale('S-IDEM-2');
    const first = await postWebhook(t, 'sales-flow', body, { 'idempotency-key': 'ik-2' });
    const second = await postWebhook(t, 'sales-flow', body, { 'idempotency-key': 'ik-2' });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.eventId).toBe(first.body.eventId);
  });

  it('the same key with a different payload is a coded 409', async () => {
    await postWebhook(t, 'sales-flow', sale('S-IDEM-3'), { 'webhook-id': 'msg_idem_3' });
    const res = await postWebhook(t, 'sales-flow', sale('S-IDEM-3', { channel: 'ecommerce' }), {
      'webhook-id': 'msg_idem_3',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('GW_IDEMPOTENCY_KEY_REUSED');
  });

  it('the same business id with a different payload is a coded 409, under any key', async () => {
    await postWebhook(t, 'sales-flow', sale('S-IDEM-4'), { 'webhook-id': 'a' });
    const res = await postWebhook(t, 'sales-flow', sale('S-IDEM-4', { channel: 'ecommerce' }), { 'webhook-id': 'b' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'GW_BUSINESS_ID_CONFLICT', details: { sale_id: 'S-IDEM-4' } });
    const same = await postWebhook(t, 'sales-flow', sale('S-IDEM-4'), { 'webhook-id': 'c' });
    expect(same.status).toBe(200);
    expect(await count('sale_items', `sale_id = 'S-IDEM-4'`)).toBe(2);
  });

  it('concurrent sales of one sku each record the stock right after them, in the order they moved it', async () => {
    const sku = 'SKU-RUNNING-1';
    const item = { sku, description: 'Running stock', quantity: 1, unit_price: '10.00', discount: '0.00' };
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        postWebhook(
          t,
          'sales-flow',
          sale(`V-RUN-${i}`, { store_code: 'LJ-RUN', items: [item, { ...item, quantity: 2 }], total: '30.00' }),
        ),
      ),
    );
    expect(results.map((r) => [r.status, r.body.error?.code])).toEqual(Array(24).fill([200, undefined]));
    const { rows } = await t.db.query<{ delta: number; resulting: number; below: boolean }>(
      `select quantity_delta as delta, resulting_quantity as resulting, below_zero as below
         from inventory_movements where client_id = 'banban' and location_code = 'LJ-RUN' and sku = $1 order by id`,
      [sku],
    );
    expect(rows).toHaveLength(48);
    let running = 0;
    for (const m of rows) {
      running += m.delta;
      expect(m).toEqual({ delta: m.delta, resulting: running, below: running < 0 });
    }
    expect(await stock('LJ-RUN', sku)).toBe(-72);
  });

  it('concurrent sales register every new store, product and customer they bring', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postWebhook(
          t,
          'sales-flow',
          sale(`V-MD-${i}`, {
            store_code: `LJ-MD-${i % 4}`,
            customer: {
              customer_id: `C-MD-${i}`,
              name: `Customer ${i}`,
              email: `c${i}@example.com`,
              document: `9000000000${i % 10}`,
            },
            items: [
              { sku: `SKU-MD-${i}`, description: `Product ${i}`, quantity: 1, unit_price: '10.00', discount: '0.00' },
            ],
            total: '10.00',
          }),
        ),
      ),
    );
    expect(results.map((r) => [r.status, r.body.error?.code])).toEqual(Array(20).fill([200, undefined]));
    const customers = await t.db.query<{ id: string; name: string }>(
      `select id, name from customers where client_id = 'banban' and id like 'C-MD-%' order by name`,
    );
    expect(customers.rows).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ id: `C-MD-${i}`, name: `Customer ${i}` })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
    expect(
      await count('products', `client_id = 'banban' and sku like 'SKU-MD-%' and description like 'Product %'`),
    ).toBe(20);
    expect(await count('locations', `client_id = 'banban' and code like 'LJ-MD-%' and kind = 'store'`)).toBe(4);
  });

  it('a refused sale among concurrent ones is refused alone: the others are stored, with their stock', async () => {
    const item = { sku: 'SKU-MIXED-1', description: 'Mixed', quantity: 1, unit_price: '10.00', discount: '0.00' };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        postWebhook(
          t,
          'sales-flow',
          sale(`V-MIX-${i}`, { store_code: 'LJ-MIX', items: [item], total: i % 5 === 3 ? '99.00' : '10.00' }),
        ),
      ),
    );
    const refused = [3, 8];
    expect(results.map((r, i) => [i, r.status, r.body.error?.code])).toEqual(
      results.map((_, i) => (refused.includes(i) ? [i, 422, 'GW_SALE_TOTAL_MISMATCH'] : [i, 200, undefined])),
    );
    expect(await count('sales', `id like 'V-MIX-%'`)).toBe(10);
    expect(await count('webhook_events', `business_id like 'V-MIX-%' and status = 'processed'`)).toBe(10);
    expect(await count('webhook_events', `business_id like 'V-MIX-%' and status = 'rejected'`)).toBe(2);
    expect(await stock('LJ-MIX', 'SKU-MIXED-1')).toBe(-10);
  });

  it('50 concurrent deliveries of the same event produce exactly one sale', async () => {
    const body = sale('S-RACE', { store_code: 'LJ-RACE' });
    const results = await Promise.all(Array.from({ length: 50 }, () => postWebhook(t, 'sales-flow', body)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.eventId)).size).toBe(1);
    expect(results.filter((r) => !r.headers['idempotent-replayed'])).toHaveLength(1);
    expect(await count('sales', `id = 'S-RACE'`)).toBe(1);
    expect(await count('sale_items', `sale_id = 'S-RACE'`)).toBe(2);
    expect(await stock('LJ-RACE', 'MEIA-ESP-UN')).toBe(-2);
    expect(await count('webhook_events', `business_id = 'S-RACE' and status = 'processed'`)).toBe(1);
  });
});

describe('business rules', () => {
  it('a total that differs from Σ(quantity × unit_price − discount) is 422 with the computed value', async () => {
    const res = await postWebhook(t, 'sales-flow', sale('S-TOTAL', { total: '309.71' }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'GW_SALE_TOTAL_MISMATCH',
      details: { expected: '309.70', received: '309.71' },
    });
    expect(await count('sales', `id = 'S-TOTAL'`)).toBe(0);
  });

  it('money is exact: 3 × 0.10 is 0.30 to the cent', async () => {
    const res = await postWebhook(
      t,
      'sales-flow',
      sale('S-CENTS', {
        items: [{ sku: 'BALA', quantity: 3, unit_price: '0.10', discount: '0.00' }],
        total: '0.30',
        customer: undefined,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.result.total).toBe('0.30');
  });

  it(
    'unknown stores, products and customers are registered from the payload; ' + 'codes are trimmed and upper-cased',
    async () => {
      const res = await postWebhook(
        t,
        'sales-flow',
        sale('S-MASTER', {
          store_code: ' lj-900 ',
          customer: { customer_id: 'C-NEW', name: 'Novo Cliente' },
          items: [
            { sku: ' tenis-novo-40 ', description: 'Tênis Novo', quantity: 1, unit_price: '10.00', discount: '0.00' },
          ],
          total: '10.00',
        }),
      );
      expect(res.status).toBe(200);
      expect((await t.db.query(`select kind from locations where code = 'LJ-900'`)).rows[0].kind).toBe('store');
      expect(await count('products', `sku = 'TENIS-NOVO-40'`)).toBe(1);
      expect(await count('customers', `id = 'C-NEW' and name = 'Novo Cliente'`)).toBe(1);
    },
  );
});

describe('negative stock is a per-client setting', () => {
  it(
    'a client that forbids it gets 422 GW_INSUFFICIENT_STOCK with the shortfalls, ' + 'and nothing is written',
    async () => {
      const settings = CLIENTS.banban.settings;
      CLIENTS.banban.settings = { ...settings, allowNegativeStock: false };
      try {
        const res = await postWebhook(t, 'sales-flow', sale('S-NONEG', { store_code: 'LJ-NONEG' }));
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('GW_INSUFFICIENT_STOCK');
        expect(res.body.error.details.shortfalls).toEqual(
          expect.arrayContaining([{ location_code: 'LJ-NONEG', sku: 'MEIA-ESP-UN', requested: 2, available: 0 }]),
        );
        expect(await count('sales', `id = 'S-NONEG'`)).toBe(0);
        expect(await stock('LJ-NONEG', 'MEIA-ESP-UN')).toBe(0);
      } finally {
        CLIENTS.banban.settings = settings;
      }
    },
  );
});

describe('errors never leak and never write', () => {
  it('unknown flows are 404 and unknown routes too, with codes', async () => {
    expect((await postWebhook(t, 'nope-flow', fixture('sales-flow', 'register_sale'))).body.error.code).toBe(
      'GW_UNKNOWN_FLOW',
    );
    const res = await t.app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('GW_NOT_FOUND');
  });

  it('a wrong or missing key is 401', async () => {
    expect(
      (await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'), { 'x-api-key': 'axk_wrong' })).status,
    ).toBe(401);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/sales-flow',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('GW_UNAUTHENTICATED');
  });

  it('malformed JSON is 400, an oversize body 413, another media type 415', async () => {
    expect((await postWebhook(t, 'sales-flow', '{"action": "register_sale", "data": {')).body.error.code).toBe(
      'GW_MALFORMED_JSON',
    );
    const big = JSON.stringify({ action: 'register_sale', data: { pad: 'x'.repeat(t.config.webhookBodyLimitBytes) } });
    const tooBig = await postWebhook(t, 'sales-flow', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('GW_PAYLOAD_TOO_LARGE');
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/sales-flow',
      headers: { 'content-type': 'text/plain', 'x-api-key': t.apiKey },
      payload: 'hi',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('GW_UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown action is 400 listing the allowed ones', async () => {
    const res = await postWebhook(t, 'sales-flow', { action: 'register_sael', data: {} });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'GW_UNKNOWN_ACTION',
      details: { allowed: ['register_sale', 'register_payment', 'register_cancellation'] },
    });
  });

  it('refused deliveries are kept in the audit trail, with their error, and change nothing else', async () => {
    const before = await count('sales');
    const res = await postWebhook(t, 'sales-flow', sale('S-AUDIT', { total: 'abc' }));
    expect(res.status).toBe(400);
    const { rows } = await t.db.query(`select status, http_status, error from webhook_events where id = $1`, [
      res.body.eventId,
    ]);
    expect(rows[0]).toMatchObject({ status: 'rejected', http_status: 400, error: { code: 'GW_VALIDATION_FAILED' } });
    expect(await count('sales')).toBe(before);
  });
});
