import { Queryable } from '../db/database';
import { SqlFilter } from '../db/sql-filter';
import { decodeCursor, encodeCursor } from '../shared/pagination';
import { rebuildSql, rescoreClientSql } from './rfm.sql';

export interface RfmRow {
  customerId: string;
  asOf: string;
  recencyDays: number;
  frequency: number;
  monetary: string;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: string;
}

export interface RfmRunRow {
  clientId: string;
  asOf: string;
  customers: number;
  computedAt: Date;
  durationMs: string | null;
}

export interface SegmentSummaryRow {
  segment: string;
  customers: number;
  avgRecencyDays: string;
  avgFrequency: string;
  avgMonetary: string;
}

export interface MovementRow {
  fromSegment: string | null;
  toSegment: string | null;
  customers: number;
}

export interface RescoreResult {
  /** customers with a purchase standing */
  customers: number;
  /** rows written (new or different) */
  changed: number;
  /** rows removed (no purchase standing any more) */
  removed: number;
}

/** Which scores a read answers from: a dated snapshot, or the client's current scores (as of `asOf`). */
export type ScoresSource = { kind: 'snapshot' | 'current'; asOf: string };

const scoresTable = (s: ScoresSource) => (s.kind === 'current' ? 'customer_rfm' : 'rfm_snapshots');

const ROW_COLUMNS = `customer_id as "customerId", to_char(as_of, 'YYYY-MM-DD') as "asOf",
  recency_days as "recencyDays", frequency, monetary,
  r_score as "rScore", f_score as "fScore", m_score as "mScore", segment`;

/** work_mem of a rebuild's transaction. */
export const REBUILD_WORK_MEM = '128MB';

export function rfmCursor(r: Pick<RfmRow, 'monetary' | 'customerId'>): string {
  return encodeCursor([r.monetary, r.customerId]);
}

export const rfmRepository = {
  /** Serialises the rebuilds and re-scorings of one client (transaction-scoped lock). */
  async lockClient(q: Queryable, clientId: string): Promise<void> {
    await q.query(`select pg_advisory_xact_lock(hashtext('rfm:' || $1))`, [clientId]);
  },

  /**
   * Settings of the rebuild's transaction (`set local`): a snapshot is derived data (recomputable from
   * sales for any date), so no waiting for the WAL flush; enough memory for the per-customer hash
   * aggregate and the three NTILE sorts to stay off disk (100,000 customers ≈ 20 MB); no JIT (its
   * compilation costs more than it saves on these expressions).
   */
  async tuneRebuild(q: Queryable): Promise<void> {
    await q.query(
      `select set_config('synchronous_commit', 'off', true),
              set_config('work_mem', '${REBUILD_WORK_MEM}', true),
              set_config('jit', 'off', true)`,
    );
  },

  async rebuild(q: Queryable, clientId: string, asOf: string, timezone: string): Promise<number> {
    await q.query(`delete from rfm_snapshots where client_id = $1 and as_of = $2`, [clientId, asOf]);
    const { rows } = await q.query<{ customers: number }>(rebuildSql(), [clientId, asOf, timezone]);
    // Re-scored rows up to this date are superseded by the snapshot.
    await q.query(`delete from customer_rfm where client_id = $1 and as_of <= $2`, [clientId, asOf]);
    return rows[0]?.customers ?? 0;
  },

  async setRunDuration(q: Queryable, clientId: string, asOf: string, durationMs: number): Promise<RfmRunRow> {
    const { rows } = await q.query<RfmRunRow>(
      `update rfm_runs set duration_ms = $3 where client_id = $1 and as_of = $2
       returning client_id as "clientId", to_char(as_of, 'YYYY-MM-DD') as "asOf", customers,
                 computed_at as "computedAt", duration_ms as "durationMs"`,
      [clientId, asOf, durationMs.toFixed(3)],
    );
    return rows[0];
  },

  async latestRunDate(q: Queryable, clientId: string, onOrBefore?: string): Promise<string | null> {
    const { rows } = await q.query<{ asOf: string }>(
      `select to_char(max(as_of), 'YYYY-MM-DD') as "asOf" from rfm_runs
        where client_id = $1 and ($2::date is null or as_of <= $2::date)`,
      [clientId, onOrBefore ?? null],
    );
    return rows[0]?.asOf ?? null;
  },

  /** Scores every customer of the client as of `today` into customer_rfm (one statement; see rescoreClientSql). */
  async rescoreClient(q: Queryable, clientId: string, today: string, timezone: string): Promise<RescoreResult> {
    const { rows } = await q.query<RescoreResult>(rescoreClientSql(), [clientId, today, timezone]);
    return rows[0];
  },

  /**
   * The customer's current scores: the client's current scores (customer_rfm), else the latest snapshot
   * row — unless the current scores are at least as recent as that snapshot: they are then complete,
   * and a customer missing there has no purchase standing.
   */
  async current(q: Queryable, clientId: string, customerId: string): Promise<RfmRow | null> {
    const { rows } = await q.query<RfmRow>(
      `select * from (
         select ${ROW_COLUMNS}, 1 as rank from customer_rfm where client_id = $1 and customer_id = $2
         union all
         select ${ROW_COLUMNS}, 2 as rank from rfm_snapshots s
          where client_id = $1 and customer_id = $2 and as_of = (select max(as_of) from rfm_runs where client_id = $1)
            and not exists (select 1 from customer_rfm c where c.client_id = $1 and c.as_of >= s.as_of)
       ) x order by "asOf" desc, rank limit 1`,
      [clientId, customerId],
    );
    return rows[0] ?? null;
  },

  /** The date of the client's current scores (all rows share the date of the re-scoring that wrote them), or null. */
  async currentDate(q: Queryable, clientId: string): Promise<string | null> {
    const { rows } = await q.query<{ asOf: string | null }>(
      `select to_char(max(as_of), 'YYYY-MM-DD') as "asOf" from customer_rfm where client_id = $1`,
      [clientId],
    );
    return rows[0]?.asOf ?? null;
  },

  async segmentSummary(
    q: Queryable,
    clientId: string,
    source: ScoresSource,
    store?: string | null,
  ): Promise<SegmentSummaryRow[]> {
    const { rows } = await q.query<SegmentSummaryRow>(
      `select segment, count(*)::int as customers,
              round(avg(recency_days), 2)::text as "avgRecencyDays",
              round(avg(frequency), 2)::text as "avgFrequency",
              round(avg(monetary), 2)::text as "avgMonetary"
         from ${scoresTable(source)}
        where client_id = $1 and as_of = $2
          and ($3::text is null or customer_id in (
                select customer_id from sales
                 where client_id = $1 and store_code = $3 and customer_id is not null
                   and sold_at < (($2::date + 1)::timestamp at time zone (select timezone from clients where id = $1))))
        group by segment order by segment`,
      [clientId, source.asOf, store ?? null],
    );
    return rows;
  },

  /** Keyset page of a segment's customers, highest spend first. */
  async segmentPage(
    q: Queryable,
    clientId: string,
    source: ScoresSource,
    segment: string,
    limit: number,
    after?: string,
  ): Promise<RfmRow[]> {
    const f = new SqlFilter().where('client_id = ?', clientId).where('as_of = ?', source.asOf);
    f.where('segment = ?', segment);
    if (after) f.where('(monetary, customer_id) < (?::numeric, ?)', ...decodeCursor(after, 2));
    const { rows } = await q.query<RfmRow>(
      `select ${ROW_COLUMNS} from ${scoresTable(source)}
        where ${f.sql} order by monetary desc, customer_id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },

  /** How many customers went from each segment to each other between two snapshots (null: absent). */
  async movement(q: Queryable, clientId: string, from: string, to: string): Promise<MovementRow[]> {
    const { rows } = await q.query<MovementRow>(
      `select a.segment as "fromSegment", b.segment as "toSegment", count(*)::int as customers
         from (select customer_id, segment from rfm_snapshots where client_id = $1 and as_of = $2) a
         full join (select customer_id, segment from rfm_snapshots where client_id = $1 and as_of = $3) b
              using (customer_id)
        group by 1, 2 order by 1 nulls first, 2 nulls first`,
      [clientId, from, to],
    );
    return rows;
  },

  async runExists(q: Queryable, clientId: string, asOf: string): Promise<boolean> {
    const { rows } = await q.query(`select 1 from rfm_runs where client_id = $1 and as_of = $2`, [clientId, asOf]);
    return rows.length > 0;
  },
};
