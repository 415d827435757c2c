import { Queryable } from '../db/database';

export interface PendingRow {
  clientId: string;
  flow: string;
  queued: number;
  oldestQueuedSeconds: number | null;
  dead: number;
}

export interface FlowMetricsRow {
  flow: string;
  total: number;
  processed: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  lagP50: number | null;
  lagP99: number | null;
}

export const metricsRepository = {
  /** Queue depth, oldest pending age and dead letters per client and flow. */
  async pending(q: Queryable): Promise<PendingRow[]> {
    const { rows } = await q.query<PendingRow>(
      `select client_id as "clientId", flow,
              count(*) filter (where status = 'queued')::int as queued,
              extract(epoch from now() - min(received_at) filter (where status = 'queued'))::float8
                as "oldestQueuedSeconds",
              count(*) filter (where status = 'dead')::int as dead
         from webhook_events where status in ('queued', 'dead')
        group by client_id, flow`,
    );
    return rows;
  },

  /** Queued events per flow of one client (health's queue_size). */
  async queueSizes(q: Queryable, clientId: string): Promise<Map<string, number>> {
    const { rows } = await q.query<{ flow: string; n: number }>(
      `select flow, count(*)::int as n from webhook_events where client_id = $1 and status = 'queued' group by flow`,
      [clientId],
    );
    return new Map(rows.map((r) => [r.flow, r.n]));
  },

  /**
   * Per flow over the window, from the audit trail: deliveries, errors, processing latency
   * percentiles (duration_ms) and end-to-end lag percentiles (received → processed), in ms.
   */
  async flowWindow(
    q: Queryable,
    clientId: string,
    flow: string | null,
    windowSeconds: number,
  ): Promise<FlowMetricsRow[]> {
    const { rows } = await q.query<FlowMetricsRow>(
      `select flow,
              count(*) filter (where status <> 'duplicate')::int as total,
              count(*) filter (where status = 'processed')::int as processed,
              count(*) filter (where status in ('rejected', 'failed', 'dead'))::int as errors,
              percentile_cont(0.50) within group (order by duration_ms)
                filter (where status = 'processed')::float8 as p50,
              percentile_cont(0.95) within group (order by duration_ms)
                filter (where status = 'processed')::float8 as p95,
              percentile_cont(0.99) within group (order by duration_ms)
                filter (where status = 'processed')::float8 as p99,
              percentile_cont(0.50) within group (order by extract(epoch from processed_at - received_at) * 1000)
                filter (where status = 'processed')::float8 as "lagP50",
              percentile_cont(0.99) within group (order by extract(epoch from processed_at - received_at) * 1000)
                filter (where status = 'processed')::float8 as "lagP99"
         from webhook_events
        where client_id = $1 and ($2::text is null or flow = $2) and received_at > now() - make_interval(secs => $3)
        group by flow order by flow`,
      [clientId, flow, windowSeconds],
    );
    return rows;
  },
};
