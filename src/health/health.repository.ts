import { Queryable } from '../db/database';

export interface FlowActivityRow {
  flow: string;
  lastSuccess: Date | null;
  total: number;
  errors: number;
}

export const healthRepository = {
  /**
   * Per flow: last success ever, and deliveries and errors within the window (duplicates excluded).
   * The window count is an index-only scan of webhook_events_flow, which carries the status (0730).
   */
  async flowActivity(
    q: Queryable,
    clientId: string,
    flows: string[],
    windowSeconds: number,
  ): Promise<FlowActivityRow[]> {
    const { rows } = await q.query<FlowActivityRow>(
      `select f.flow,
              (select processed_at from webhook_events e
                where e.client_id = $1 and e.flow = f.flow and e.status = 'processed'
                order by processed_at desc limit 1) as "lastSuccess",
              coalesce(w.total, 0) as total, coalesce(w.errors, 0) as errors
         from unnest($2::text[]) as f(flow)
         left join lateral (
           select count(*) filter (where status <> 'duplicate') as total,
                  count(*) filter (where status in ('rejected', 'failed', 'dead')) as errors
             from webhook_events e
            where e.client_id = $1 and e.flow = f.flow and e.received_at > now() - make_interval(secs => $3)
         ) w on true`,
      [clientId, flows, windowSeconds],
    );
    return rows;
  },
};
