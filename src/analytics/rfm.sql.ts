/**
 * The RFM computation as SQL, one pass per client. Parameters: $1 client id, $2 as-of date, $3 the
 * client's time zone (a parameter, not read from `clients` in the statement, so that the end of the
 * as-of day is a constant the planner can estimate: a sequential scan of the client's sales rather than
 * an index scan of all of them).
 * A purchase counts when it was sold before the end of the as-of day (client's timezone) and not
 * cancelled by then; its value is the sale total minus what was returned of it by then.
 * What was returned of a sale comes from the `returns` table, in one LEFT JOIN.
 */

/** Per customer: recency, frequency and monetary (one hash aggregate over the client's sales). */
export function scoredCustomersSql(): string {
  const endAt = '(($2::date + 1)::timestamp at time zone $3::text)';
  return `purchases as (
    select s.customer_id, s.sold_at, s.total - coalesce(r.returned, 0) as net
      from sales s
      left join (
        select sale_id, sum(value) as returned
          from returns
         where client_id = $1 and returned_at < ${endAt}
         group by sale_id
      ) r on r.sale_id = s.id
     where s.client_id = $1 and s.customer_id is not null
       and s.sold_at < ${endAt}
       and not (s.status = 'cancelled' and s.cancelled_at < ${endAt})
  ),
  per_customer as (
    select customer_id,
           -- the local date of the latest instant: one time-zone conversion per customer, not per sale
           -- (the same as the latest local date except across a DST fall-back at midnight)
           $2::date - (max(sold_at) at time zone $3::text)::date as recency_days,
           count(*)::int as frequency,
           sum(net) as monetary
      from purchases
     group by customer_id
  )`;
}

/** Full-client scoring (NTILE across the client's customers) joined to the segment map. */
export function rfmSelectSql(): string {
  return `with ${scoredCustomersSql()},
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
export function rebuildSql(): string {
  return `with rows as (${rfmSelectSql()}),
  inserted as (
    insert into rfm_snapshots
           (client_id, as_of, customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment)
    select $1, $2::date, customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment from rows
     -- in key order: each row goes to the index's rightmost page (no random descents, no page splits)
     order by customer_id
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
 * The client's current scores, kept equal to a rebuild as of today ($2, in the client's zone $3): the
 * rebuild's scoring (`rfmSelectSql`) over the whole client, written to `customer_rfm` only where a row is
 * new or differs; customers with no purchase standing any more lose their row. The whole client is
 * scored because NTILE's quintiles move with every customer that arrives or changes: a new customer can
 * move others across a quintile boundary. Ranks do not depend on the as-of date (recency orders by the
 * last purchase's local date), so between two calls only `recencyDays` ages, with the row's `as_of`.
 */
export function rescoreClientSql(): string {
  return `with scores as (${rfmSelectSql()}),
  changed as (
    select s.* from scores s
      left join customer_rfm c on c.client_id = $1 and c.customer_id = s.customer_id
     where c.customer_id is null
        or (c.as_of, c.recency_days, c.frequency, c.monetary, c.r_score, c.f_score, c.m_score, c.segment)
           is distinct from
           ($2::date, s.recency_days, s.frequency, s.monetary, s.r_score, s.f_score, s.m_score, s.segment)
  ),
  upserted as (
    insert into customer_rfm as c (client_id, customer_id, as_of, recency_days, frequency, monetary,
                                   r_score, f_score, m_score, segment, updated_at)
    select $1, customer_id, $2::date, recency_days, frequency, monetary, r_score, f_score, m_score, segment,
           statement_timestamp()
      from changed
    on conflict (client_id, customer_id) do update
      set as_of = excluded.as_of, recency_days = excluded.recency_days,
          frequency = excluded.frequency, monetary = excluded.monetary,
          r_score = excluded.r_score, f_score = excluded.f_score, m_score = excluded.m_score,
          segment = excluded.segment, updated_at = excluded.updated_at
    returning 1
  ),
  removed as (
    delete from customer_rfm c
     where c.client_id = $1 and not exists (select 1 from scores s where s.customer_id = c.customer_id)
    returning 1
  )
  select (select count(*) from scores)::int as customers, (select count(*) from upserted)::int as changed,
         (select count(*) from removed)::int as removed`;
}
