/**
 * The RFM computation as SQL, one pass per client. Parameters: $1 client id, $2 as-of date, $3 the
 * client's time zone (a parameter, not read from `clients` in the statement, so that the end of the
 * as-of day is a constant the planner can estimate: a sequential scan of the client's sales rather than
 * an index scan of all of them).
 * A purchase counts when it was sold before the end of the as-of day (client's timezone) and not
 * cancelled by then; its value is the sale total minus what was returned of it by then.
 *
 * Returns plug in as one LEFT JOIN (`RETURNS_JOIN`) against the returns flow's `returns` table when it
 * exists; before that the join is left out and nothing is subtracted (`NO_RETURNS_JOIN`).
 */
export interface ReturnsPart {
  /** The join, given the SQL expression of the end of the as-of day. */
  join: (endAt: string) => string;
  returned: string;
}

export const RETURNS_JOIN: ReturnsPart = {
  join: (endAt) => `left join (
    select sale_id, sum(value) as returned
      from returns
     where client_id = $1 and returned_at < ${endAt}
     group by sale_id
  ) r on r.sale_id = s.id`,
  returned: 'coalesce(r.returned, 0)',
};

/** Before the returns flow exists: nothing to join, nothing returned. */
export const NO_RETURNS_JOIN: ReturnsPart = { join: () => '', returned: '0' };

export interface ScopeOptions {
  /** Restricts the customers (a condition on the sales row `s`). */
  customerFilter?: string;
  /**
   * Today in the client's time zone instead of the `$2` / `$3` parameters: the date and zone are
   * read from `clients` (a few customers: the plan does not depend on it).
   */
  today?: boolean;
}

/** Per customer: recency, frequency and monetary (one hash aggregate over the client's sales). */
export function scoredCustomersSql(returns: ReturnsPart, { customerFilter = '', today = false }: ScopeOptions = {}): string {
  const date = today ? '(select as_of from as_of_window)' : '$2::date';
  const tz = today ? '(select tz from as_of_window)' : '$3::text';
  const endAt = today ? '(select end_at from as_of_window)' : '(($2::date + 1)::timestamp at time zone $3::text)';
  return `as_of_window as (
    select d.as_of, ((d.as_of + 1)::timestamp at time zone c.timezone) as end_at, c.timezone as tz
      from clients c, lateral (select ${today ? '(now() at time zone c.timezone)::date' : '$2::date'} as as_of) d
     where c.id = $1
  ),
  purchases as (
    select s.customer_id, s.sold_at, s.total - ${returns.returned} as net
      from sales s
      ${returns.join(endAt)}
     where s.client_id = $1 and s.customer_id is not null ${customerFilter}
       and s.sold_at < ${endAt}
       and not (s.status = 'cancelled' and s.cancelled_at < ${endAt})
  ),
  per_customer as (
    select customer_id,
           -- the local date of the latest instant: one time-zone conversion per customer, not per sale
           -- (the same as the latest local date except across a DST fall-back at midnight)
           ${date} - (max(sold_at) at time zone ${tz})::date as recency_days,
           count(*)::int as frequency,
           sum(net) as monetary
      from purchases
     group by customer_id
  )`;
}

/** Full-client scoring (NTILE across the client's customers) joined to the segment map. */
export function rfmSelectSql(returns: ReturnsPart): string {
  return `with ${scoredCustomersSql(returns)},
  scored as (
    select p.*,
           ntile(5) over (order by recency_days desc, customer_id) as r_score,
           ntile(5) over (order by frequency, customer_id) as f_score,
           ntile(5) over (order by monetary, customer_id) as m_score
      from per_customer p
  )
  select s.customer_id, s.recency_days, s.frequency, s.monetary, s.r_score, s.f_score, s.m_score, map.segment
    from scored s
    join rfm_segment_map map on map.r_score = s.r_score and map.fm_score = (s.f_score + s.m_score + 1) / 2`;
}

/**
 * The rebuild in one statement: scores every customer, stores the snapshot rows, and records the
 * run with each quintile's bounds. Returns the run's customer count.
 */
export function rebuildSql(returns: ReturnsPart): string {
  return `with rows as (${rfmSelectSql(returns)}),
  inserted as (
    insert into rfm_snapshots (client_id, as_of, customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment)
    select $1, $2::date, customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment from rows
     order by customer_id -- in key order: each row goes to the index's rightmost page (no random descents, no page splits)
    returning 1
  )
  insert into rfm_runs as run (client_id, as_of, customers, r_bounds, f_bounds, m_bounds, duration_ms)
  select $1, $2::date, (select count(*) from inserted),
         array[${[1, 2, 3, 4, 5].map((s) => `max(recency_days) filter (where r_score = ${s})`).join(', ')}],
         array[${[1, 2, 3, 4, 5].map((s) => `min(frequency) filter (where f_score = ${s})`).join(', ')}],
         array[${[1, 2, 3, 4, 5].map((s) => `min(monetary) filter (where m_score = ${s})`).join(', ')}],
         null
    from rows
  on conflict (client_id, as_of) do update
    set customers = excluded.customers, r_bounds = excluded.r_bounds, f_bounds = excluded.f_bounds,
        m_bounds = excluded.m_bounds, computed_at = now(), duration_ms = excluded.duration_ms
  returning customers`;
}

/**
 * Keeps RFM current after sales, cancellations and returns, in one statement: the customers of the
 * sales `$2` (ids) are re-scored as of today in the client's timezone against the bounds of the
 * client's latest run — the highest score whose bound the value reaches (recency: at most the
 * quintile's largest; F and M: at least its smallest) — into `customer_rfm`; a customer with no
 * purchase standing any more loses their current row. A row written by a statement that started
 * later is never overwritten (concurrent workers). Without any run nothing is written and `hasRun`
 * is false: the caller builds the first snapshot instead.
 */
export function refreshSalesCustomersSql(returns: ReturnsPart): string {
  return `with touched as (
    select distinct customer_id from sales where client_id = $1 and id = any($2::text[]) and customer_id is not null
  ),
  run as (select as_of, r_bounds, f_bounds, m_bounds from rfm_runs where client_id = $1 order by as_of desc limit 1),
  ${scoredCustomersSql(returns, { customerFilter: 'and s.customer_id in (select customer_id from touched)', today: true })},
  scored as (
    select p.*,
           coalesce((select max(i) from run, generate_subscripts(run.r_bounds, 1) i where p.recency_days <= run.r_bounds[i]), 1) as r_score,
           coalesce((select max(i) from run, generate_subscripts(run.f_bounds, 1) i where p.frequency >= run.f_bounds[i]), 1) as f_score,
           coalesce((select max(i) from run, generate_subscripts(run.m_bounds, 1) i where p.monetary >= run.m_bounds[i]), 1) as m_score
      from per_customer p
     where exists (select 1 from run)
  ),
  upserted as (
    insert into customer_rfm as c (client_id, customer_id, as_of, scored_against, recency_days, frequency, monetary,
                                   r_score, f_score, m_score, segment, updated_at)
    select $1, s.customer_id, (select as_of from as_of_window), (select as_of from run), s.recency_days, s.frequency, s.monetary,
           s.r_score, s.f_score, s.m_score, map.segment, statement_timestamp()
      from scored s
      join rfm_segment_map map on map.r_score = s.r_score and map.fm_score = (s.f_score + s.m_score + 1) / 2
    on conflict (client_id, customer_id) do update
      set as_of = excluded.as_of, scored_against = excluded.scored_against, recency_days = excluded.recency_days,
          frequency = excluded.frequency, monetary = excluded.monetary, r_score = excluded.r_score, f_score = excluded.f_score,
          m_score = excluded.m_score, segment = excluded.segment, updated_at = excluded.updated_at
      where c.updated_at <= excluded.updated_at
    returning 1
  ),
  removed as (
    delete from customer_rfm c
     where c.client_id = $1 and exists (select 1 from run)
       and c.customer_id in (select customer_id from touched)
       and c.customer_id not in (select customer_id from per_customer)
       and c.updated_at <= statement_timestamp()
    returning 1
  )
  select exists (select 1 from run) as "hasRun", (select count(*) from upserted)::int as scored, (select count(*) from removed)::int as removed`;
}
