import type { TestApp } from './test-app';

/** Stock of a position from the ledger, asserting the running stock (stock_levels) equals the sum of movements. */
export async function ledgerStock(t: TestApp, location: string, sku: string): Promise<number> {
  const { rows } = await t.db.query<{ q: number }>(
    `select coalesce(sum(quantity_delta), 0)::int as q from inventory_movements
      where client_id = 'banban' and location_code = $1 and sku = $2`,
    [location, sku],
  );
  const level = await t.db.query<{ quantity: number }>(
    `select quantity from stock_levels where client_id = 'banban' and location_code = $1 and sku = $2`,
    [location, sku],
  );
  expect(level.rows[0]?.quantity ?? 0).toBe(rows[0].q);
  return rows[0].q;
}

/** Positions whose running stock differs from the sum of their movements (always none). */
export async function ledgerMismatches(t: TestApp): Promise<unknown[]> {
  const { rows } = await t.db.query(
    `select coalesce(s.location_code, m.location_code) as location, coalesce(s.sku, m.sku) as sku, s.quantity, m.total
       from stock_levels s
       full join (select client_id, location_code, sku, sum(quantity_delta)::int as total
                    from inventory_movements group by 1, 2, 3) m
         using (client_id, location_code, sku)
      where coalesce(s.quantity, 0) <> coalesce(m.total, 0)`,
  );
  return rows;
}

export async function countRows(t: TestApp, table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, values);
  return rows[0].n;
}
