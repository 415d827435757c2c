import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/database';

/**
 * The floor of any register_sale pipeline: what the gateway must store for each delivery, written
 * into its own tables (as migrated, with their indexes), with no authentication, validation,
 * normalization, GraphQL, queue job or audit row. Per delivery: the webhook_events row (idempotency
 * key, raw payload, result), the master data, the sale and its items, and the ledger movements with
 * the running stock (so a movement can say it went below zero).
 *
 * Deliveries that arrive while a statement runs are written together by the next one (group
 * commit: one statement, one transaction and one WAL flush for all of them), the cheapest way to
 * write them. The gateway does everything here and more, so it cannot be faster than this route.
 */
const FLOOR_SQL = `with d as (
    select * from jsonb_to_recordset($2::jsonb)
      as d(sale_id text, store_code text, channel text, sold_at timestamptz, total numeric, customer jsonb,
           items jsonb, raw text)
  ), ev as (
    insert into webhook_events (client_id, flow, action, idempotency_key, business_id, payload_hash, payload, raw_body,
                                status, http_status, result, received_at, processed_at, duration_ms)
    select $1, 'sales', 'register_sale', 'register_sale:' || sale_id, sale_id, md5(raw), raw::jsonb, raw,
           'processed', 200, jsonb_build_object('id', sale_id), now(), now(), 0 from d
    on conflict (client_id, idempotency_key) where status in ('processing', 'processed', 'queued') do nothing
    returning id, business_id
  ), k as (
    select d.* from d join ev on ev.business_id = d.sale_id
  ), lines as (
    select k.sale_id, k.store_code, k.sold_at, i.*
      from k, rows from (jsonb_to_recordset(k.items)
                         as (sku text, description text, quantity int, unit_price numeric, discount numeric))
        with ordinality as i(sku, description, quantity, unit_price, discount, line_no)
  ), loc as (
    insert into locations (client_id, code, kind) select distinct $1, store_code, 'store' from k on conflict do nothing
  ), cust as (
    insert into customers (client_id, id, name, email, document)
    select distinct on (customer->>'customer_id')
           $1, customer->>'customer_id', customer->>'name', customer->>'email', customer->>'document'
      from k where customer is not null
    on conflict do nothing
  ), prod as (
    insert into products (client_id, sku, description)
    select distinct on (sku) $1, sku, description from lines on conflict do nothing
  ), sale as (
    insert into sales (client_id, id, store_code, channel, customer_id, sold_at, total, status, payload_hash)
    select $1, sale_id, store_code, channel, customer->>'customer_id', sold_at, total, 'open', md5(raw) from k
    on conflict do nothing returning id
  ), items as (
    insert into sale_items (client_id, sale_id, line_no, sku, description, quantity, unit_price, discount, line_total)
    select $1, l.sale_id, l.line_no, l.sku, l.description, l.quantity, l.unit_price, l.discount,
           l.quantity * l.unit_price - l.discount
      from lines l join sale s on s.id = l.sale_id
  ), stock as (
    insert into stock_levels as sl (client_id, location_code, sku, quantity)
    select $1, l.store_code, l.sku, -sum(l.quantity) from lines l join sale s on s.id = l.sale_id
     group by l.store_code, l.sku order by l.store_code, l.sku
    on conflict (client_id, location_code, sku)
      do update set quantity = sl.quantity + excluded.quantity, updated_at = now()
    returning location_code, sku, quantity
  ), moves as (
    insert into inventory_movements
           (client_id, location_code, sku, quantity_delta, kind, source_type, source_id, occurred_at,
            resulting_quantity, below_zero)
    select $1, l.store_code, l.sku, -l.quantity, 'sale', 'sale', l.sale_id, l.sold_at, st.quantity, st.quantity < 0
      from lines l join sale s on s.id = l.sale_id join stock st on st.location_code = l.store_code and st.sku = l.sku
  )
  select id, business_id from ev`;

const MAX_BATCH = 32;

interface Waiting {
  data: Record<string, unknown> & { sale_id: string };
  raw: string;
  done: (eventId: string | null, err?: unknown) => void;
}

export function registerFloorRoute(app: FastifyInstance, db: Database): void {
  let waiting: Waiting[] = [];
  let running = false;
  const flush = async () => {
    running = true;
    while (waiting.length) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(MAX_BATCH);
      try {
        const { rows } = await db.query<{ id: string; business_id: string }>(FLOOR_SQL, [
          'banban',
          JSON.stringify(batch.map((w) => ({ ...w.data, raw: w.raw }))),
        ]);
        const ids = new Map(rows.map((r) => [r.business_id, r.id]));
        for (const w of batch) w.done(ids.get(w.data.sale_id) ?? null);
      } catch (err) {
        for (const w of batch) w.done(null, err);
      }
    }
    running = false;
  };
  app.post(
    '/floor',
    (req) =>
      new Promise((resolve, reject) => {
        const body = req.body as { data: Waiting['data'] };
        waiting.push({
          data: body.data,
          raw: JSON.stringify(body),
          done: (eventId, err) =>
            err
              ? reject(err)
              : resolve({ ok: true, action: 'register_sale', eventId, result: { id: body.data.sale_id } }),
        });
        if (!running) void flush();
      }),
  );
}
