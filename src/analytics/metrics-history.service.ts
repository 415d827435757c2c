import { Database, SLOW_STATEMENT_TIMEOUT_MS } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { MetricsBucket, metricsHistoryRepository, MetricsPointRow } from './metrics-history.repository';

export interface MetricsHistoryConfig {
  /** How often the aggregation runs (0: never on its own; tests call `aggregate`). */
  intervalSeconds: number;
  /** Deliveries commit after they are received: buckets this far back are recomputed each run. */
  latenessSeconds: number;
  minuteRetentionDays: number;
  hourRetentionDays: number;
}

const BUCKET_MS: Record<MetricsBucket, number> = { minute: 60_000, hour: 3_600_000 };
const MAX_POINTS = 2_000;

function truncate(d: Date, bucket: MetricsBucket): Date {
  return new Date(Math.floor(d.getTime() / BUCKET_MS[bucket]) * BUCKET_MS[bucket]);
}

/**
 * Integration metrics history. Ingest does nothing extra: a periodic job re-aggregates the recent
 * buckets from webhook_events (exact percentiles per bucket, idempotent upserts) and prunes old ones.
 */
export class MetricsHistoryService {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly config: MetricsHistoryConfig,
  ) {}

  /** Aggregates everything received since the last run (minus lateness) up to `now`, then prunes. */
  async aggregate(now = new Date()): Promise<void> {
    await this.db.transaction(async (tx) => {
      tx.allowSlowStatements(SLOW_STATEMENT_TIMEOUT_MS); // the first run aggregates the whole history
      // One instance aggregates at a time; the others skip this round.
      if (!(await metricsHistoryRepository.tryLock(tx))) return;
      const until =
        (await metricsHistoryRepository.aggregatedUntil(tx)) ?? (await metricsHistoryRepository.oldestEvent(tx));
      if (!until) return;
      const since = new Date(until.getTime() - this.config.latenessSeconds * 1000);
      const end = new Date(now.getTime() + 1);
      for (const clientId of await metricsHistoryRepository.clientIds(tx)) {
        for (const bucket of ['minute', 'hour'] as const) {
          await metricsHistoryRepository.aggregate(tx, clientId, bucket, truncate(since, bucket), end);
        }
      }
      await metricsHistoryRepository.setAggregatedUntil(tx, now);
      const day = 86_400_000;
      await metricsHistoryRepository.prune(
        tx,
        'minute',
        new Date(now.getTime() - this.config.minuteRetentionDays * day),
      );
      await metricsHistoryRepository.prune(tx, 'hour', new Date(now.getTime() - this.config.hourRetentionDays * day));
    });
  }

  start(onError: (err: unknown) => void): void {
    if (this.config.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow run is not overlapped by the next
      this.running = this.aggregate()
        .catch(onError)
        .finally(() => (this.running = undefined));
    }, this.config.intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  series(
    clientId: string,
    flow: string,
    action: string,
    bucket: MetricsBucket,
    from: Date,
    to: Date,
  ): Promise<MetricsPointRow[]> {
    if (!(from < to))
      throw new GatewayError('GW_VALIDATION_FAILED', 'from must be before to', {
        issues: [{ path: 'from', code: 'invalid_range', message: 'before to' }],
      });
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_POINTS) {
      throw new GatewayError('GW_VALIDATION_FAILED', `At most ${MAX_POINTS} ${bucket} buckets per request`, {
        issues: [{ path: 'to', code: 'range_too_large', message: `at most ${MAX_POINTS} buckets` }],
      });
    }
    return metricsHistoryRepository.series(this.db, clientId, flow, action, bucket, from, to);
  }
}
