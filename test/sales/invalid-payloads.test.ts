import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

type Mutate = (d: Record<string, any>) => void;
const sale = (mutate: Mutate) => {
  const f = fixture('sales-flow', 'register_sale');
  mutate(f.data);
  return f;
};
const pay = (mutate: Mutate) => {
  const f = fixture('sales-flow', 'register_payment');
  mutate(f.data);
  return f;
};
const cancel = (mutate: Mutate) => {
  const f = fixture('sales-flow', 'register_cancellation');
  mutate(f.data);
  return f;
};

/** [name, body, expected status, expected code, a field path the error must name] */
const CASES: Array<[string, unknown, number, string, string?]> = [
  ['unknown top-level field', { ...fixture('sales-flow', 'register_sale'), extra: 1 }, 400, 'GW_VALIDATION_FAILED', ''],
  ['data is not an object', { action: 'register_sale', data: [1, 2] }, 400, 'GW_VALIDATION_FAILED', 'data'],
  ['missing action', { data: {} }, 400, 'GW_VALIDATION_FAILED', 'action'],
  ['body is an array', [fixture('sales-flow', 'register_sale')], 400, 'GW_VALIDATION_FAILED', ''],
  ['unknown field in data', sale((d) => (d.coupon = 'X')), 400, 'GW_VALIDATION_FAILED', 'data'],
  ['unknown field in an item', sale((d) => (d.items[0].color = 'red')), 400, 'GW_VALIDATION_FAILED', 'data.items.0'],
  ['unknown field in customer', sale((d) => (d.customer.age = 30)), 400, 'GW_VALIDATION_FAILED', 'data.customer'],
  ['missing sale_id', sale((d) => delete d.sale_id), 400, 'GW_VALIDATION_FAILED', 'data.sale_id'],
  ['empty sale_id', sale((d) => (d.sale_id = '  ')), 400, 'GW_VALIDATION_FAILED', 'data.sale_id'],
  ['sale_id too long', sale((d) => (d.sale_id = 'V'.repeat(65))), 400, 'GW_VALIDATION_FAILED', 'data.sale_id'],
  [
    'store_code with spaces inside',
    sale((d) => (d.store_code = 'LJ 001')),
    400,
    'GW_VALIDATION_FAILED',
    'data.store_code',
  ],
  [
    'sold_at without offset',
    sale((d) => (d.sold_at = '2026-11-28T14:32:10')),
    400,
    'GW_VALIDATION_FAILED',
    'data.sold_at',
  ],
  ['sold_at not a date', sale((d) => (d.sold_at = 'yesterday')), 400, 'GW_VALIDATION_FAILED', 'data.sold_at'],
  ['no items', sale((d) => (d.items = [])), 400, 'GW_VALIDATION_FAILED', 'data.items'],
  ['quantity zero', sale((d) => (d.items[0].quantity = 0)), 400, 'GW_VALIDATION_FAILED', 'data.items.0.quantity'],
  [
    'quantity fractional',
    sale((d) => (d.items[1].quantity = 1.5)),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.1.quantity',
  ],
  [
    'quantity absurd',
    sale((d) => (d.items[0].quantity = 10_000_000)),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.0.quantity',
  ],
  [
    'price as a JSON number',
    sale((d) => (d.items[0].unit_price = 299.9)),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.0.unit_price',
  ],
  [
    'price with three decimals',
    sale((d) => (d.items[0].unit_price = '299.900')),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.0.unit_price',
  ],
  [
    'negative discount',
    sale((d) => (d.items[0].discount = '-1.00')),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.0.discount',
  ],
  ['total not a number', sale((d) => (d.total = 'NaN')), 400, 'GW_VALIDATION_FAILED', 'data.total'],
  [
    'invalid customer email',
    sale((d) => (d.customer.email = 'maria@')),
    400,
    'GW_VALIDATION_FAILED',
    'data.customer.email',
  ],
  [
    'customer document of 5 digits',
    sale((d) => (d.customer.document = '12345')),
    400,
    'GW_VALIDATION_FAILED',
    'data.customer.document',
  ],
  [
    'control character in a description',
    sale((d) => (d.items[0].description = 'Tênis\u0007')),
    400,
    'GW_VALIDATION_FAILED',
    'data.items.0.description',
  ],
  ['channel with upper case', sale((d) => (d.channel = 'STORE')), 400, 'GW_VALIDATION_FAILED', 'data.channel'],
  [
    'discount larger than the line',
    sale((d) => {
      d.items[1].discount = '40.00';
      d.total = '269.70';
    }),
    422,
    'GW_BUSINESS_RULE',
    'items.1.discount',
  ],
  ['total off by one cent', sale((d) => (d.total = '309.69')), 422, 'GW_SALE_TOTAL_MISMATCH', 'total'],
  ['payment amount zero', pay((d) => (d.amount = '0.00')), 400, 'GW_VALIDATION_FAILED', 'data.amount'],
  ['payment installments 0', pay((d) => (d.installments = 0)), 400, 'GW_VALIDATION_FAILED', 'data.installments'],
  ['payment without payment_id', pay((d) => delete d.payment_id), 400, 'GW_VALIDATION_FAILED', 'data.payment_id'],
  ['payment method with spaces', pay((d) => (d.method = 'credit card')), 400, 'GW_VALIDATION_FAILED', 'data.method'],
  ['cancellation without reason', cancel((d) => delete d.reason), 400, 'GW_VALIDATION_FAILED', 'data.reason'],
  [
    'cancellation with a date only',
    cancel((d) => (d.cancelled_at = '2026-11-28')),
    400,
    'GW_VALIDATION_FAILED',
    'data.cancelled_at',
  ],
];

async function businessRows(): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `select (select count(*) from sales) + (select count(*) from sale_items) + (select count(*) from payments)
          + (select count(*) from inventory_movements) + (select count(*) from customers)
          + (select count(*) from products) as n`,
  );
  return Number(rows[0].n);
}

describe('invalid payloads: a coded 4xx naming the field, and nothing written', () => {
  it.each(CASES)('%s', async (_name, body, status, code, path) => {
    const before = await businessRows();
    const res = await postWebhook(t, 'sales-flow', body);
    expect(res.status).toBe(status);
    expect(res.body.ok).toBe(false);
    expect(res.body.error.code).toBe(code);
    if (path !== undefined && code === 'GW_VALIDATION_FAILED') {
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    if (path && code !== 'GW_VALIDATION_FAILED') {
      expect(res.body.error.issues?.map((i: { path: string }) => i.path) ?? []).toContain(path);
    }
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/i);
    expect(await businessRows()).toBe(before);
  });

  it('has at least 20 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });
});
