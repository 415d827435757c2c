import { Queryable } from '../db/database';

export interface DailySalesRow {
  day: string;
  count: number;
  cancelled: number;
  gross: string;
  discounts: string;
  returns: string;
  net: string;
}

export const dailySalesRepository = {
  /**
   * Per business day in the client's timezone, [from, to] inclusive: sales not cancelled (count, gross
   * = Σ quantity × unit price, discounts), cancelled sales, returns (value of the items returned that
   * day, as sold), net = gross − discounts − returns.
   */
  async daily(
    q: Queryable,
    clientId: string,
    from: string,
    to: string,
    store: string | null,
  ): Promise<DailySalesRow[]> {
    const { rows } = await q.query<DailySalesRow>(
      `with w as (
         select c.timezone as tz, ($2::date::timestamp at time zone c.timezone) as start_at,
                (($3::date + 1)::timestamp at time zone c.timezone) as end_at
           from clients c where c.id = $1
       ),
       sold as (
         select (s.sold_at at time zone w.tz)::date as day,
                count(*) filter (where s.status <> 'cancelled')::int as count,
                count(*) filter (where s.status = 'cancelled')::int as cancelled,
                coalesce(sum(i.gross) filter (where s.status <> 'cancelled'), 0) as gross,
                coalesce(sum(i.discounts) filter (where s.status <> 'cancelled'), 0) as discounts
           from sales s
           cross join w
           cross join lateral (
             select sum(quantity * unit_price) as gross, sum(discount) as discounts
               from sale_items si where si.client_id = s.client_id and si.sale_id = s.id
           ) i
          where s.client_id = $1 and s.sold_at >= w.start_at and s.sold_at < w.end_at
            and ($4::text is null or s.store_code = $4)
          group by 1
       ),
       returned as (
         select (returned_at at time zone w.tz)::date as day, sum(value) as value
           from returns, w
          where client_id = $1 and returned_at >= w.start_at and returned_at < w.end_at
            and ($4::text is null or store_code = $4)
          group by 1
       )
       select to_char(d, 'YYYY-MM-DD') as day,
              coalesce(sold.count, 0) as count,
              coalesce(sold.cancelled, 0) as cancelled,
              (coalesce(sold.gross, 0))::numeric(14,2)::text as gross,
              (coalesce(sold.discounts, 0))::numeric(14,2)::text as discounts,
              (coalesce(returned.value, 0))::numeric(14,2)::text as returns,
              (coalesce(sold.gross, 0) - coalesce(sold.discounts, 0) - coalesce(returned.value, 0))
                ::numeric(14,2)::text as net
         from generate_series($2::date, $3::date, interval '1 day') d
         left join sold on sold.day = d::date
         left join returned on returned.day = d::date
        order by d`,
      [clientId, from, to, store],
    );
    return rows;
  },
};
