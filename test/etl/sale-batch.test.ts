import { RegisterSaleInput } from '../../src/flows/sales/sale.input';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const sale = (id: string, patch: Partial<RegisterSaleInput> = {}): RegisterSaleInput => ({
  id,
  storeCode: 'lj-001',
  channel: 'store',
  soldAt: new Date('2026-11-28T17:32:10Z'),
  customer: { id: 'C-000077', name: 'Maria Souza', email: 'maria.souza@example.com', document: '12345678909' },
  items: [
    {
      sku: 'TENIS-RUN-38-PRETO',
      description: 'Tênis Run 38 Preto',
      quantity: 1,
      unitPrice: '299.90',
      discount: '30.00',
    },
    { sku: 'MEIA-ESP-UN', description: 'Meia Esportiva', quantity: 2, unitPrice: '19.90', discount: '0.00' },
  ],
  total: '309.70',
  ...patch,
});

describe('SaleService.registerSales: registerSale in batches, same rules and tables', () => {
  it('reports each sale as registerSale would, in set-based statements', async () => {
    const before = t.db.queryCount;
    const outcomes = await t.db.transaction((q) =>
      t.services.sales.registerSales(q, 'banban', [
        sale('BA-1'),
        sale('BA-2', { total: '300.00' }),
        sale('BA-3', { customer: null }),
        sale('BA-1'),
        sale('BA-3', { channel: 'ecommerce', customer: null }),
      ]),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['created', 'rejected', 'created', 'existing', 'conflict']);
    expect(outcomes[1]).toMatchObject({ error: { code: 'GW_SALE_TOTAL_MISMATCH' } });
    expect(t.db.queryCount - before).toBeLessThanOrEqual(7); // BEGIN, master data, sales+items, ledger, hashes, COMMIT
  });

  it('stores exactly what the webhook path stores: same hash, items, ledger movements and stock', async () => {
    const replay = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'BA-1' }));
    expect(replay.status).toBe(200); // same content as the batch stored: a harmless redelivery
    expect(
      (await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'BA-1', channel: 'app' })))
        .status,
    ).toBe(409);
    expect(
      (await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'WH-1' }))).status,
    ).toBe(200);
    const q = async (id: string) => ({
      sale: (
        await t.db.query(`select store_code, channel, customer_id, total::text, status from sales where id = $1`, [id])
      ).rows[0],
      items: (
        await t.db.query(
          `select line_no, sku, quantity, unit_price::text, discount::text, line_total::text from sale_items
           where sale_id = $1 order by line_no`,
          [id],
        )
      ).rows,
      ledger: (
        await t.db.query(
          `select location_code, sku, quantity_delta, kind from inventory_movements where source_id = $1 order by sku`,
          [id],
        )
      ).rows,
    });
    // the hashes differ only by the id (the replay above proved equal content hashes equal)
    const [batch, webhook] = [await q('BA-1'), await q('WH-1')];
    expect(batch).toEqual(webhook);
    const stock = await t.db.query(`select s.quantity, (select sum(quantity_delta) from inventory_movements m
                                   where m.client_id = s.client_id and m.location_code = s.location_code
                                     and m.sku = s.sku)::int as ledger
      from stock_levels s where client_id = 'banban'`);
    for (const r of stock.rows) expect(r.quantity).toBe(r.ledger);
  });
});
