import { Database } from '../../src/db/database';
import { inventoryLedgerRepository } from '../../src/domain/inventory-ledger.repository';
import { masterDataRepository } from '../../src/domain/master-data.repository';

/** Tables whose content a refused delivery must leave untouched (everything but the audit trail, webhook_events). */
const BUSINESS_TABLES = [
  'locations',
  'products',
  'customers',
  'suppliers',
  'sales',
  'sale_items',
  'payments',
  'purchase_orders',
  'purchase_order_items',
  'purchase_documents',
  'purchase_document_items',
  'purchase_divergences',
  'inventory_adjustments',
  'inventory_snapshots',
  'inventory_snapshot_lines',
  'transfers',
  'transfer_items',
  'transfer_events',
  'returns',
  'return_items',
  'refunds',
  'inventory_movements',
  'stock_levels',
];

/** A digest of every business row: equal before and after means nothing changed. */
export async function fingerprint(db: Database): Promise<Record<string, string>> {
  const sql = BUSINESS_TABLES.map(
    (t) =>
      `select '${t}' as t,
              count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as digest
         from ${t} x`,
  ).join(' union all ');
  const { rows } = await db.query<{ t: string; digest: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.digest]));
}

/**
 * (location, sku) pairs whose running stock differs from the sum of their movements (should be
 * none); `skuLike` narrows the check.
 */
export async function ledgerMismatches(db: Database, skuLike = '%'): Promise<unknown[]> {
  const { rows } = await db.query(
    `select coalesce(s.client_id, m.client_id) as client_id,
            coalesce(s.location_code, m.location_code) as location_code,
            coalesce(s.sku, m.sku) as sku, s.quantity, m.total
       from (select * from stock_levels where sku like $1) s
       full join (select client_id, location_code, sku, sum(quantity_delta)::int as total from inventory_movements
                   where sku like $1 group by 1, 2, 3) m
         using (client_id, location_code, sku)
      where coalesce(s.quantity, 0) <> coalesce(m.total, 0)`,
    [skuLike],
  );
  return rows;
}

export async function stockAt(db: Database, location: string, sku: string, clientId = 'banban'): Promise<number> {
  return inventoryLedgerRepository.stockOf(db, clientId, location, sku);
}

/**
 * Puts stock somewhere directly through the ledger (an adjustment without its delivery), for tests
 * about other flows that only need stock.
 */
export async function seedStock(
  db: Database,
  entries: Array<{ location: string; sku: string; quantity: number }>,
  clientId = 'banban',
): Promise<void> {
  await db.transaction(async (tx) => {
    await masterDataRepository.upsertLocations(
      tx,
      clientId,
      entries.map((e) => e.location),
    );
    await masterDataRepository.upsertProducts(tx, clientId, entries);
    await inventoryLedgerRepository.record(
      tx,
      clientId,
      entries.map((e) => ({
        locationCode: e.location,
        sku: e.sku,
        delta: e.quantity,
        kind: 'adjustment',
        sourceType: 'test_seed',
        sourceId: 'seed',
        occurredAt: new Date(),
      })),
    );
  });
}
