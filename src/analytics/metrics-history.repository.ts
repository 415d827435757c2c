import { Queryable } from '../db/database';

export type MetricsBucket = 'minute' | 'hour';

export interface MetricsPointRow {
  bucketStart: Date;
  count: number;
  errors: number;
  p50Ms: string | null;
  p95Ms: string | null;
  p99Ms: string | null;
  maxMs: string | null;
}

/** Deliveries that finished (duplicates are replays without effect; processing/queued are not done). */
const FINISHED = `status in ('processed', 'rejected', 'failed', 'dead')`;
const ERRORS = `status in ('rejected', 'failed', 'dead')`;

export const metricsHistoryRepository = {
  async tryLock(q: Queryable): Promise<boolean> {
    const { rows } = await q.query<{ locked: boolean }>(
      `select pg_try_advisory_xact_lock(hashtext('integration-metrics')) as locked`,
    );
    return rows[0].locked;
  },

  async aggregatedUntil(q: Queryable): Promise<Date | null> {
    const { rows } = await q.query<{ until: Date }>(
      `select aggregated_until as until from integration_metrics_state where id = 1`,
    );
    return rows[0]?.until ?? null;
  },

  async setAggregatedUntil(q: Queryable, until: Date): Promise<void> {
    await q.query(
      `insert into integration_metrics_state (id, aggregated_until) values (1, $1)
       on conflict (id) do update set aggregated_until = excluded.aggregated_until`,
      [until],
    );
  },

  async oldestEvent(q: Queryable): Promise<Date | null> {
    const { rows } = await q.query<{ oldest: Date | null }>(`select min(received_at) as oldest from webhook_events`);
    return rows[0]?.oldest ?? null;
  },

  async clientIds(q: Queryable): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(`select id from clients order by id`);
    return rows.map((r) => r.id);
  },

  /**
   * Recomputes every `bucket` of one client whose start is in [from, to) from the audit trail
   * (index webhook_events_recent), per action and for the whole flow (action '*').
   */
  async aggregate(q: Queryable, clientId: string, bucket: MetricsBucket, from: Date, to: Date): Promise<number> {
    const { rowCount } = await q.query(
      `insert into integration_metrics as m
              (client_id, flow, action, bucket, bucket_start, count, errors, p50_ms, p95_ms, p99_ms, max_ms)
       select $1, flow, coalesce(action, '*'), $2, date_trunc($2, received_at) as bucket_start,
              count(*), count(*) filter (where ${ERRORS}),
              percentile_cont(0.5) within group (order by duration_ms),
              percentile_cont(0.95) within group (order by duration_ms),
              percentile_cont(0.99) within group (order by duration_ms),
              max(duration_ms)
         from webhook_events
        where client_id = $1 and received_at >= $3 and received_at < $4 and ${FINISHED}
        group by grouping sets ((flow, action, date_trunc($2, received_at)), (flow, date_trunc($2, received_at)))
       on conflict (client_id, flow, action, bucket, bucket_start) do update
         set count = excluded.count, errors = excluded.errors, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms,
             p99_ms = excluded.p99_ms, max_ms = excluded.max_ms, updated_at = now()`,
      [clientId, bucket, from, to],
    );
    return rowCount ?? 0;
  },

  async prune(q: Queryable, bucket: MetricsBucket, before: Date): Promise<number> {
    const { rowCount } = await q.query(`delete from integration_metrics where bucket = $1 and bucket_start < $2`, [
      bucket,
      before,
    ]);
    return rowCount ?? 0;
  },

  /** One point per bucket in [from, to), empty buckets as zero counts. */
  async series(
    q: Queryable,
    clientId: string,
    flow: string,
    action: string,
    bucket: MetricsBucket,
    from: Date,
    to: Date,
  ): Promise<MetricsPointRow[]> {
    const { rows } = await q.query<MetricsPointRow>(
      `select b as "bucketStart", coalesce(m.count, 0) as count, coalesce(m.errors, 0) as errors,
              m.p50_ms as "p50Ms", m.p95_ms as "p95Ms", m.p99_ms as "p99Ms", m.max_ms as "maxMs"
         from generate_series(
                date_trunc($5, $6::timestamptz), $7::timestamptz - interval '1 microsecond', ('1 ' || $5)::interval
              ) b
         left join integration_metrics m
           on m.client_id = $1 and m.flow = $2 and m.action = $3 and m.bucket = $4 and m.bucket_start = b
        order by b`,
      [clientId, flow, action, bucket, bucket, from, to],
    );
    return rows;
  },
};
