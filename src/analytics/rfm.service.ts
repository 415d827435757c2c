import { performance } from 'node:perf_hooks';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { MovementRow, RfmRow, rfmRepository, RfmRunRow, SegmentSummaryRow } from './rfm.repository';
import { NO_RETURNS_JOIN, RETURNS_JOIN, ReturnsPart } from './rfm.sql';

export interface SegmentSummary {
  asOf: string;
  store: string | null;
  customers: number;
  segments: Array<SegmentSummaryRow & { share: number }>;
}

/**
 * RFM per client: a one-pass SQL rebuild into a dated snapshot (on demand, by the ETL's
 * `rebuild_rfm` and the daily batch), and re-scoring of single customers when their sale,
 * cancellation or return arrives (after commit, off the ingest path).
 */
export class RfmService {
  private returnsJoin?: Promise<ReturnsPart>;

  constructor(private readonly db: Database) {}

  /** Uses the returns flow's table when it is there (the query is the same either way). */
  private join(q: Queryable): Promise<ReturnsPart> {
    this.returnsJoin ??= rfmRepository.hasReturnsTable(q).then((present) => (present ? RETURNS_JOIN : NO_RETURNS_JOIN));
    return this.returnsJoin;
  }

  /** Whether the returns flow's tables exist (they come with the returns flow). */
  async hasReturns(q: Queryable): Promise<boolean> {
    return (await this.join(q)) === RETURNS_JOIN;
  }

  async today(q: Queryable, clientId: string): Promise<string> {
    return (await this.clock(q, clientId)).today;
  }

  /** Today in the client's time zone, and the zone. */
  private async clock(q: Queryable, clientId: string): Promise<{ today: string; timezone: string }> {
    const { rows } = await q.query<{ today: string; timezone: string }>(
      `select to_char((now() at time zone timezone)::date, 'YYYY-MM-DD') as today, timezone from clients where id = $1`,
      [clientId],
    );
    if (!rows[0]) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
    return rows[0];
  }

  /** Scores every customer of the client as of `asOf` (default: today in its timezone) and stores the snapshot. */
  async rebuildRfm(clientId: string, asOf?: string): Promise<RfmRunRow> {
    return this.db.transaction(async (tx) => {
      const { today, timezone } = await this.clock(tx, clientId); // also refuses an unknown client (404)
      const date = asOf ?? today;
      await rfmRepository.lockClient(tx, clientId);
      await rfmRepository.tuneRebuild(tx);
      const started = performance.now();
      await rfmRepository.rebuild(tx, await this.join(tx), clientId, date, timezone);
      return rfmRepository.setRunDuration(tx, clientId, date, performance.now() - started);
    });
  }

  /**
   * Re-scores the customers of these sales (after their sale, cancellation or return) as of today
   * against the latest snapshot's quintile bounds, in one statement for the whole set. A client
   * without any snapshot gets its first one instead (which scores everyone).
   */
  async refreshCustomersOfSales(clientId: string, saleIds: string[]): Promise<void> {
    if (saleIds.length === 0) return;
    const ids = [...new Set(saleIds)].sort();
    const { hasRun } = await rfmRepository.refreshCustomersOfSales(this.db, await this.join(this.db), clientId, ids);
    if (!hasRun) await this.rebuildRfm(clientId);
  }

  customerRfm(q: Queryable, clientId: string, customerId: string): Promise<RfmRow | null> {
    return rfmRepository.current(q, clientId, customerId);
  }

  /** The snapshot to read: the given date (must exist), else the latest. */
  async snapshotDate(q: Queryable, clientId: string, asOf?: string | null): Promise<string | null> {
    if (!asOf) return rfmRepository.latestRunDate(q, clientId);
    if (!(await rfmRepository.runExists(q, clientId, asOf))) {
      throw new GatewayError('GW_NOT_FOUND', `No RFM snapshot of ${clientId.slice(0, 64)} as of ${asOf}`, { details: { as_of: asOf } });
    }
    return asOf;
  }

  async segments(q: Queryable, clientId: string, asOf?: string | null, store?: string | null): Promise<SegmentSummary | null> {
    const date = await this.snapshotDate(q, clientId, asOf);
    if (!date) return null;
    const rows = await rfmRepository.segmentSummary(q, clientId, date, store);
    const total = rows.reduce((n, r) => n + r.customers, 0);
    return {
      asOf: date,
      store: store ?? null,
      customers: total,
      segments: rows.map((r) => ({ ...r, share: total === 0 ? 0 : Math.round((r.customers / total) * 10_000) / 10_000 })),
    };
  }

  movement(q: Queryable, clientId: string, from: string, to: string): Promise<MovementRow[]> {
    return rfmRepository.movement(q, clientId, from, to);
  }
}
