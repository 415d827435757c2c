import { merged, Queryable, send } from '../db/database';

export type MovementKind =
  'sale' | 'sale_cancellation' | 'return' | 'purchase_receipt' | 'transfer_out' | 'transfer_in' | 'adjustment';

export interface MovementInput {
  locationCode: string;
  sku: string;
  delta: number;
  kind: MovementKind;
  sourceType: string;
  sourceId: string;
  occurredAt: Date | string;
}

export interface MovementRow {
  id: number;
  locationCode: string;
  sku: string;
  delta: number;
  kind: MovementKind;
  sourceType: string;
  sourceId: string;
  occurredAt: Date;
  resultingQuantity: number;
  belowZero: boolean;
}

const MOVEMENT_COLUMNS = `id, location_code as "locationCode", sku, quantity_delta as delta, kind,
  source_type as "sourceType", source_id as "sourceId", occurred_at as "occurredAt",
  resulting_quantity as "resultingQuantity", below_zero as "belowZero"`;

/** Adds the movements and moves stock_levels in one statement (rows locked in a fixed order). */
const RECORD_SQL = `with m as (
         select * from unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           with ordinality as t(location_code, sku, delta, kind, source_type, source_id, occurred_at, ord)
       ), s as (
         insert into stock_levels as sl (client_id, location_code, sku, quantity)
         select $1, location_code, sku, sum(delta) from m group by location_code, sku order by location_code, sku
         on conflict (client_id, location_code, sku)
           do update set quantity = sl.quantity + excluded.quantity, updated_at = now()
         returning location_code, sku, quantity
       )
       insert into inventory_movements
         (client_id, location_code, sku, quantity_delta, kind, source_type, source_id, occurred_at,
          resulting_quantity, below_zero)
       select $1, r.location_code, r.sku, r.delta, r.kind, r.source_type, r.source_id, r.occurred_at,
              r.resulting, r.resulting < 0
         from (
           -- each movement's stock right after it: the new stock less the later movements of its position
           select m.*, s.quantity - coalesce(sum(m.delta) over later, 0) as resulting
             from m join s using (location_code, sku)
           window later as (
             partition by location_code, sku order by m.ord rows between 1 following and unbounded following
           )
         ) r
        order by r.ord`;

function recordParams(clientId: string, movements: MovementInput[]): unknown[] {
  const sorted = [...movements].sort(
    (a, b) => a.locationCode.localeCompare(b.locationCode) || a.sku.localeCompare(b.sku),
  );
  return [
    clientId,
    sorted.map((m) => m.locationCode),
    sorted.map((m) => m.sku),
    sorted.map((m) => m.delta),
    sorted.map((m) => m.kind),
    sorted.map((m) => m.sourceType),
    sorted.map((m) => m.sourceId),
    sorted.map((m) => m.occurredAt),
  ];
}

/**
 * The append-only inventory ledger. One statement adds the movements and moves the running
 * stock (stock_levels) in the same transaction, so stock always equals the sum of movements.
 */
export const inventoryLedgerRepository = {
  /**
   * Adds the movements and moves stock_levels. Nothing reads the rows back, so inside a
   * transaction the statement is pipelined (see Transaction.pipeline): no round trip of its own;
   * the movements of the units sharing a transaction are one statement, in the units' order.
   */
  async record(q: Queryable, clientId: string, movements: MovementInput[]): Promise<void> {
    if (movements.length === 0) return;
    await merged(q, `ledger.record:${clientId}`, movements, async (q, each) => {
      await send(q, RECORD_SQL, recordParams(clientId, each.flat()));
      return each.map(() => undefined);
    });
  },

  async bySource(q: Queryable, clientId: string, sourceType: string, sourceId: string): Promise<MovementRow[]> {
    const { rows } = await q.query<MovementRow>(
      `select ${MOVEMENT_COLUMNS} from inventory_movements
        where client_id = $1 and source_type = $2 and source_id = $3 order by id`,
      [clientId, sourceType, sourceId],
    );
    return rows;
  },

  /** Of these sources, the ids with a movement that took its position below zero (flagged by `record`). */
  async belowZeroSources(
    q: Queryable,
    clientId: string,
    sourceType: string,
    sourceIds: readonly string[],
  ): Promise<Set<string>> {
    const { rows } = await q.query<{ sourceId: string }>(
      `select distinct source_id as "sourceId" from inventory_movements
        where client_id = $1 and source_type = $2 and source_id = any($3::text[]) and below_zero`,
      [clientId, sourceType, sourceIds],
    );
    return new Set(rows.map((r) => r.sourceId));
  },

  /**
   * Stock per position as of an instant: what the ledger held then, whatever was recorded since —
   * the running stock less the movements that occurred at or after `at` (stock_levels always equals the
   * sum of the movements, so this is the sum of those that occurred before `at`, reading only the
   * recent ones). A position that never moved is 0.
   */
  async stockAsOf(
    q: Queryable,
    clientId: string,
    positions: ReadonlyArray<{ locationCode: string; sku: string }>,
    at: Date,
  ): Promise<Map<string, number>> {
    const { rows } = await q.query<{ locationCode: string; sku: string; quantity: number }>(
      `select p.location_code as "locationCode", p.sku,
              (coalesce(s.quantity, 0) - coalesce(later.delta, 0))::int as quantity
         from unnest($2::text[], $3::text[]) as p(location_code, sku)
         left join stock_levels s on s.client_id = $1 and s.location_code = p.location_code and s.sku = p.sku
         cross join lateral (
           select sum(m.quantity_delta) as delta from inventory_movements m
            where m.client_id = $1 and m.location_code = p.location_code and m.sku = p.sku and m.occurred_at >= $4
         ) later`,
      [clientId, positions.map((p) => p.locationCode), positions.map((p) => p.sku), at],
    );
    return new Map(rows.map((r) => [`${r.locationCode}/${r.sku}`, r.quantity]));
  },

  async stockOf(q: Queryable, clientId: string, locationCode: string, sku: string): Promise<number> {
    const { rows } = await q.query<{ quantity: number }>(
      `select quantity from stock_levels where client_id = $1 and location_code = $2 and sku = $3`,
      [clientId, locationCode, sku],
    );
    return rows[0]?.quantity ?? 0;
  },
};
