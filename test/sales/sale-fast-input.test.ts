import fc from 'fast-check';
import { fastSaleInput } from '../../src/flows/sales/sale.fast-input';
import { saleInput } from '../../src/flows/sales/sale.service';
import { contentHash } from '../../src/shared/hash';

/** Strings from small alphabets that hit the contract's edges: case, spaces, control characters, punctuation. */
const piece = (chars: string, max = 8) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: 0, maxLength: max });
const anyText = piece('aZ09 -._:/\u0001é@', 10);
const canonicalCode = piece('AZ09-._', 10).filter((s) => /^[A-Z0-9]/.test(s));
const maybe = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: a, weight: 6 }, fc.constant(undefined), fc.constant(null));
/** Mostly valid values, so that many whole sales are valid and the fast path is really exercised. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
const money = mostly(
  fc.oneof(
    fc.constantFrom('0.00', '19.90', '1', '19.9', '007.50'),
    fc.nat(99999).map((n) => (n / 100).toFixed(2)),
  ),
  fc.constantFrom('1.234', '-1.00', '', 'abc'),
);

const item = fc.record(
  {
    sku: mostly(canonicalCode, anyText),
    description: maybe(mostly(fc.constantFrom('Tênis Run 38', 'Meia'), anyText)),
    quantity: mostly(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, -1, 1.5, 1_000_001)),
    unitPrice: money,
    discount: money,
  },
  { requiredKeys: ['sku', 'quantity', 'unitPrice', 'discount'] },
);

const sale = fc.record(
  {
    id: mostly(canonicalCode, anyText),
    storeCode: mostly(canonicalCode, anyText),
    channel: mostly(
      fc.constantFrom('store', 'ecommerce', 'click_and_collect'),
      fc.oneof(fc.constantFrom('Store', 'a b', ''), anyText),
    ),
    soldAt: mostly(
      fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
      fc.constantFrom(new Date(Number.NaN), '2026-11-28T10:00:00Z' as unknown as Date),
    ),
    customer: maybe(
      fc.record(
        {
          id: mostly(canonicalCode, anyText),
          name: maybe(mostly(fc.constantFrom('Maria Souza', 'José'), anyText)),
          email: maybe(fc.constantFrom('maria@example.com', 'not-an-email', ' maria@example.com', 'a@b.co')),
          document: maybe(fc.constantFrom('12345678909', '12345678000199', '123', ' 12345678909')),
        },
        { requiredKeys: ['id'] },
      ),
    ),
    items: mostly(fc.array(item, { minLength: 1, maxLength: 3 }), fc.array(item, { maxLength: 0 })),
    total: money,
    extra: fc.constant('ignored'),
  },
  { requiredKeys: ['id', 'storeCode', 'channel', 'soldAt', 'items', 'total'] },
);

describe('the sale contract without zod (bulk loads)', () => {
  it('accepts only what the zod schema accepts unchanged, and returns the same document (same content hash)', () => {
    let fast = 0;
    fc.assert(
      fc.property(sale, (raw) => {
        const quick = fastSaleInput(raw);
        if (quick === null) return;
        fast++;
        const parsed = saleInput.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(contentHash(quick)).toBe(contentHash(parsed.data));
        expect(JSON.parse(JSON.stringify(quick))).toEqual(JSON.parse(JSON.stringify(parsed.data)));
      }),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(300);
  });

  it('takes canonical sales (as the ETL maps them) and leaves the rest to zod', () => {
    const canonical = {
      id: 'V-1',
      storeCode: 'LJ-001',
      channel: 'store',
      soldAt: new Date('2026-11-28T13:00:00Z'),
      customer: { id: 'C-1', name: 'Maria', email: 'maria@example.com', document: '12345678909' },
      items: [{ sku: 'SKU-1', description: 'Tênis', quantity: 2, unitPrice: '19.90', discount: '0.00' }],
      total: '39.80',
    };
    expect(fastSaleInput(canonical)).toEqual(canonical);
    expect(fastSaleInput({ ...canonical, storeCode: 'lj-001' })).toBeNull(); // zod upper-cases it
    // zod trims it
    expect(fastSaleInput({ ...canonical, customer: { ...canonical.customer, name: ' Maria' } })).toBeNull();
    expect(fastSaleInput({ ...canonical, items: [] })).toBeNull(); // zod refuses it, with the path
  });
});
