import { Queryable } from '../../db/database';
import { SqlFilter } from '../../db/sql-filter';
import { decodeCursor, encodeCursor } from '../../shared/pagination';

export interface AdjustmentRow {
  id: string;
  locationCode: string;
  sku: string;
  quantityDelta: number;
  reason: string;
  adjustedAt: Date;
  payloadHash: string;
}

export interface SnapshotRow {
  id: string;
  locationCode: string | null;
  takenAt: Date;
  payloadHash: string;
}

export interface SnapshotLineRow {
  snapshotId: string;
  locationCode: string;
  sku: string;
  quantity: number;
}

export interface SnapshotDifferenceRow {
  snapshotId: string;
  locationCode: string;
  sku: string;
  snapshotQuantity: number;
  currentQuantity: number;
  difference: number;
}

export interface StockLevelRow {
  locationCode: string;
  sku: string;
  quantity: number;
  updatedAt: Date | null;
}

export interface StockLevelsFilter {
  locationCode?: string;
  sku?: string;
  belowZero?: boolean;
}

const ADJUSTMENT_COLUMNS = `id, location_code as "locationCode", sku, quantity_delta as "quantityDelta", reason,
  adjusted_at as "adjustedAt", payload_hash as "payloadHash"`;
const SNAPSHOT_COLUMNS = `id, location_code as "locationCode", taken_at as "takenAt", payload_hash as "payloadHash"`;
const STOCK_COLUMNS = `location_code as "locationCode", sku, quantity, updated_at as "updatedAt"`;

export function stockLevelCursor(s: Pick<StockLevelRow, 'locationCode' | 'sku'>): string {
  return encodeCursor([s.locationCode, s.sku]);
}

export const inventoryRepository = {
  /** Inserts the adjustment unless its id exists; returns the new row, or null when it already existed. */
  async insertAdjustment(q: Queryable, clientId: string, a: AdjustmentRow): Promise<AdjustmentRow | null> {
    const { rows } = await q.query<AdjustmentRow>(
      `insert into inventory_adjustments
              (client_id, id, location_code, sku, quantity_delta, reason, adjusted_at, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (client_id, id) do nothing
       returning ${ADJUSTMENT_COLUMNS}`,
      [clientId, a.id, a.locationCode, a.sku, a.quantityDelta, a.reason, a.adjustedAt, a.payloadHash],
    );
    return rows[0] ?? null;
  },

  async findAdjustment(q: Queryable, clientId: string, id: string): Promise<AdjustmentRow | null> {
    const { rows } = await q.query<AdjustmentRow>(
      `select ${ADJUSTMENT_COLUMNS} from inventory_adjustments where client_id = $1 and id = $2`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async insertSnapshot(q: Queryable, clientId: string, s: SnapshotRow): Promise<SnapshotRow | null> {
    const { rows } = await q.query<SnapshotRow>(
      `insert into inventory_snapshots (client_id, id, location_code, taken_at, payload_hash)
       values ($1, $2, $3, $4, $5)
       on conflict (client_id, id) do nothing
       returning ${SNAPSHOT_COLUMNS}`,
      [clientId, s.id, s.locationCode, s.takenAt, s.payloadHash],
    );
    return rows[0] ?? null;
  },

  /**
   * Freezes the stock as of the snapshot's time: per (location, sku), the sum of the ledger's
   * movements that occurred up to then (of one location, or of all when it names none).
   */
  async freezeLines(
    q: Queryable,
    clientId: string,
    s: Pick<SnapshotRow, 'id' | 'locationCode' | 'takenAt'>,
  ): Promise<void> {
    await q.query(
      `insert into inventory_snapshot_lines (client_id, snapshot_id, location_code, sku, quantity)
       select $1, $2, location_code, sku, sum(quantity_delta)
         from inventory_movements
        where client_id = $1 and occurred_at <= $3 and ($4::text is null or location_code = $4)
        group by location_code, sku`,
      [clientId, s.id, s.takenAt, s.locationCode],
    );
  },

  async snapshotsByIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<SnapshotRow[]> {
    const { rows } = await q.query<SnapshotRow>(
      `select ${SNAPSHOT_COLUMNS} from inventory_snapshots where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },

  async linesBySnapshotIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<SnapshotLineRow[]> {
    const { rows } = await q.query<SnapshotLineRow>(
      `select snapshot_id as "snapshotId", location_code as "locationCode", sku, quantity from inventory_snapshot_lines
        where client_id = $1 and snapshot_id = any($2::text[]) order by snapshot_id, location_code, sku`,
      [clientId, ids],
    );
    return rows;
  },

  /** Per snapshot, the (location, sku) positions whose current stock differs from the frozen one. */
  async differencesBySnapshotIds(
    q: Queryable,
    clientId: string,
    ids: readonly string[],
  ): Promise<SnapshotDifferenceRow[]> {
    const { rows } = await q.query<SnapshotDifferenceRow>(
      `select s.id as "snapshotId", d.location_code as "locationCode", d.sku,
              d.frozen as "snapshotQuantity", d.current as "currentQuantity", d.current - d.frozen as difference
         from inventory_snapshots s
         cross join lateral (
           select location_code, sku, coalesce(l.quantity, 0) as frozen, coalesce(c.quantity, 0) as current
             from (select location_code, sku, quantity from inventory_snapshot_lines
                    where client_id = s.client_id and snapshot_id = s.id) l
             full join (select location_code, sku, quantity from stock_levels
                         where client_id = s.client_id
                           and (s.location_code is null or location_code = s.location_code)) c
             using (location_code, sku)
         ) d
        where s.client_id = $1 and s.id = any($2::text[]) and d.frozen <> d.current
        order by s.id, d.location_code, d.sku`,
      [clientId, ids],
    );
    return rows;
  },

  async stockByKeys(
    q: Queryable,
    clientId: string,
    keys: ReadonlyArray<{ locationCode: string; sku: string }>,
  ): Promise<StockLevelRow[]> {
    const { rows } = await q.query<StockLevelRow>(
      `select ${STOCK_COLUMNS} from stock_levels
        where client_id = $1 and (location_code, sku) in (select * from unnest($2::text[], $3::text[]))`,
      [clientId, keys.map((k) => k.locationCode), keys.map((k) => k.sku)],
    );
    return rows;
  },

  /** Keyset page by (location, sku). Fetches `limit` rows; callers ask for one more to detect a next page. */
  async stockPage(
    q: Queryable,
    clientId: string,
    filter: StockLevelsFilter,
    limit: number,
    after?: string,
  ): Promise<StockLevelRow[]> {
    const f = new SqlFilter()
      .where('client_id = ?', clientId)
      .whereIf(filter.locationCode, 'location_code = ?')
      .whereIf(filter.sku, 'sku = ?');
    if (filter.belowZero === true) f.where('quantity < 0');
    if (filter.belowZero === false) f.where('quantity >= 0');
    if (after) f.where('(location_code, sku) > (?, ?)', ...decodeCursor(after, 2));
    const { rows } = await q.query<StockLevelRow>(
      `select ${STOCK_COLUMNS} from stock_levels where ${f.sql} order by location_code, sku limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },
};
