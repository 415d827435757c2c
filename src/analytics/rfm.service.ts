import { performance } from 'node:perf_hooks';
import { Database, Queryable, SLOW_STATEMENT_TIMEOUT_MS } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import {
  MovementRow,
  RescoreResult,
  RfmRow,
  rfmRepository,
  RfmRunRow,
  ScoresSource,
  SegmentSummaryRow,
} from './rfm.repository';

export interface SegmentSummary {
  asOf: string;
  store: string | null;
  customers: number;
  segments: Array<SegmentSummaryRow & { share: number }>;
}

/**
 * RFM per client: a one-pass SQL rebuild into a dated snapshot (on demand, by the ETL's
 * `rebuild_rfm` and the daily batch), and the client's current scores, re-scored whole after its
 * sales, cancellations or returns arrive (after commit, off the ingest path) so that they always equal
 * what a rebuild as of today computes.
 */
export class RfmService {
  constructor(private readonly db: Database) {}

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
      tx.allowSlowStatements(SLOW_STATEMENT_TIMEOUT_MS); // a big client's rebuild, or waiting for another one
      const { today, timezone } = await this.clock(tx, clientId); // also refuses an unknown client (404)
      const date = asOf ?? today;
      await rfmRepository.lockClient(tx, clientId);
      await rfmRepository.tuneRebuild(tx);
      const started = performance.now();
      await rfmRepository.rebuild(tx, clientId, date, timezone);
      return rfmRepository.setRunDuration(tx, clientId, date, performance.now() - started);
    });
  }

  /**
   * Re-scores every customer of the client as of today (after sales, cancellations or returns), in one
   * statement, so the current scores equal a rebuild's: one customer's purchase can move others across
   * a quintile boundary. Under the client's lock: rebuilds and other workers' re-scorings of the client
   * wait, and each re-scoring reads the sales committed before it took the lock.
   */
  async rescoreClient(clientId: string): Promise<RescoreResult> {
    return this.db.transaction(async (tx) => {
      tx.allowSlowStatements(SLOW_STATEMENT_TIMEOUT_MS); // a big client's sales, or waiting for its rebuild
      const { today, timezone } = await this.clock(tx, clientId);
      await rfmRepository.lockClient(tx, clientId);
      return rfmRepository.rescoreClient(tx, clientId, today, timezone);
    });
  }

  customerRfm(q: Queryable, clientId: string, customerId: string): Promise<RfmRow | null> {
    return rfmRepository.current(q, clientId, customerId);
  }

  /** The snapshot of that date (must exist). */
  async snapshotDate(q: Queryable, clientId: string, asOf: string): Promise<string> {
    if (!(await rfmRepository.runExists(q, clientId, asOf))) {
      throw new GatewayError('GW_NOT_FOUND', `No RFM snapshot of ${clientId.slice(0, 64)} as of ${asOf}`, {
        details: { as_of: asOf },
      });
    }
    return asOf;
  }

  /**
   * The scores a read answers from: the snapshot of the given date (must exist); without a date, the
   * client's current scores, or its latest snapshot when that is more recent (or there are none).
   */
  async scoresSource(q: Queryable, clientId: string, asOf?: string | null): Promise<ScoresSource | null> {
    if (asOf) return { kind: 'snapshot', asOf: await this.snapshotDate(q, clientId, asOf) };
    const current = await rfmRepository.currentDate(q, clientId);
    const latest = await rfmRepository.latestRunDate(q, clientId);
    if (current && (!latest || current >= latest)) return { kind: 'current', asOf: current };
    return latest ? { kind: 'snapshot', asOf: latest } : null;
  }

  async segments(
    q: Queryable,
    clientId: string,
    asOf?: string | null,
    store?: string | null,
  ): Promise<SegmentSummary | null> {
    const source = await this.scoresSource(q, clientId, asOf);
    if (!source) return null;
    const rows = await rfmRepository.segmentSummary(q, clientId, source, store);
    const total = rows.reduce((n, r) => n + r.customers, 0);
    return {
      asOf: source.asOf,
      store: store ?? null,
      customers: total,
      segments: rows.map((r) => ({
        ...r,
        share: total === 0 ? 0 : Math.round((r.customers / total) * 10_000) / 10_000,
      })),
    };
  }

  movement(q: Queryable, clientId: string, from: string, to: string): Promise<MovementRow[]> {
    return rfmRepository.movement(q, clientId, from, to);
  }
}
