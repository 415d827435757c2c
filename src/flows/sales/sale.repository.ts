import { merged, Queryable } from '../../db/database';
import { SqlFilter } from '../../db/sql-filter';
import { Money } from '../../shared/money';
import { decodeCursor, encodeCursor } from '../../shared/pagination';

export type SaleStatus = 'open' | 'paid' | 'cancelled';

export interface SaleRow {
  id: string;
  storeCode: string;
  channel: string;
  customerId: string | null;
  soldAt: Date;
  total: Money;
  paidAmount: Money;
  status: SaleStatus;
  cancelledAt: Date | null;
  cancellationReason: string | null;
  payloadHash: string;
}

export interface SaleItemRow {
  saleId: string;
  lineNo: number;
  sku: string;
  description: string | null;
  quantity: number;
  unitPrice: Money;
  discount: Money;
  lineTotal: Money;
}

export interface PaymentRow {
  id: string;
  saleId: string;
  method: string;
  amount: Money;
  installments: number;
  paidAt: Date;
  payloadHash: string;
}

export interface NewSale {
  id: string;
  storeCode: string;
  channel: string;
  customerId: string | null;
  soldAt: Date;
  total: Money;
  payloadHash: string;
}

export type NewSaleWithItems = NewSale & { items: Array<Omit<SaleItemRow, 'saleId'>> };

export interface SalesFilter {
  storeCode?: string;
  customerId?: string;
  status?: SaleStatus;
  from?: Date;
  to?: Date;
}

const SALE_COLUMNS = `id, store_code as "storeCode", channel, customer_id as "customerId", sold_at as "soldAt",
  total, paid_amount as "paidAmount", status, cancelled_at as "cancelledAt",
  cancellation_reason as "cancellationReason", payload_hash as "payloadHash"`;
const ITEM_COLUMNS = `sale_id as "saleId", line_no as "lineNo", sku, description, quantity,
  unit_price as "unitPrice", discount, line_total as "lineTotal"`;
const PAYMENT_COLUMNS = `id, sale_id as "saleId", method, amount, installments, paid_at as "paidAt",
  payload_hash as "payloadHash"`;

export function saleCursor(s: Pick<SaleRow, 'soldAt' | 'id'>): string {
  return encodeCursor([s.soldAt.toISOString(), s.id]);
}

export const saleRepository = {
  /**
   * Inserts sales and their items unless the sale id exists, in one statement whatever the count:
   * the webhook's single sale is a batch of one, the ETL's chunk a batch of thousands. Returns the
   * sales that were new (an existing id is left as it is).
   */
  async insertManyWithItems(q: Queryable, clientId: string, sales: NewSaleWithItems[]): Promise<SaleRow[]> {
    if (sales.length === 0) return [];
    const items = sales.flatMap((s) => s.items.map((i) => ({ saleId: s.id, ...i })));
    const { rows } = await q.query<SaleRow>(
      `with s as (
         insert into sales (client_id, id, store_code, channel, customer_id, sold_at, total, status, payload_hash)
         select $1, t.id, t.store_code, t.channel, t.customer_id, t.sold_at, t.total, 'open', t.h
           from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::numeric[], $8::text[])
             as t(id, store_code, channel, customer_id, sold_at, total, h)
         on conflict (client_id, id) do nothing
         returning ${SALE_COLUMNS}),
       i as (
         insert into sale_items
                (client_id, sale_id, line_no, sku, description, quantity, unit_price, discount, line_total)
         select $1, t.*
           from unnest($9::text[], $10::int[], $11::text[], $12::text[], $13::int[], $14::numeric[], $15::numeric[],
                       $16::numeric[])
           as t(sale_id, line_no, sku, description, quantity, unit_price, discount, line_total)
          where t.sale_id in (select id from s))
       select * from s`,
      [
        clientId,
        sales.map((s) => s.id),
        sales.map((s) => s.storeCode),
        sales.map((s) => s.channel),
        sales.map((s) => s.customerId),
        sales.map((s) => s.soldAt),
        sales.map((s) => s.total),
        sales.map((s) => s.payloadHash),
        items.map((i) => i.saleId),
        items.map((i) => i.lineNo),
        items.map((i) => i.sku),
        items.map((i) => i.description),
        items.map((i) => i.quantity),
        items.map((i) => i.unitPrice),
        items.map((i) => i.discount),
        items.map((i) => i.lineTotal),
      ],
    );
    return rows;
  },

  /**
   * One new sale (null when its id exists). The sales of the units sharing a transaction are one
   * insertManyWithItems; of two with the same id the first is inserted and the other finds it.
   */
  insertWithItems(q: Queryable, clientId: string, sale: NewSaleWithItems): Promise<SaleRow | null> {
    return merged(q, `sales.insert:${clientId}`, sale, async (q, sales) => {
      const seen = new Set<string>();
      const firstOfId = sales.filter((s) => !seen.has(s.id) && seen.add(s.id));
      const created = new Map((await saleRepository.insertManyWithItems(q, clientId, firstOfId)).map((r) => [r.id, r]));
      return sales.map((s) => {
        const row = created.get(s.id) ?? null;
        created.delete(s.id);
        return row;
      });
    });
  },

  /** The stored content hash of each of these sales that exists. */
  async payloadHashes(q: Queryable, clientId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await q.query<{ id: string; payloadHash: string }>(
      `select id, payload_hash as "payloadHash" from sales where client_id = $1 and id = any($2::text[])`,
      [clientId, [...new Set(ids)]],
    );
    return new Map(rows.map((r) => [r.id, r.payloadHash]));
  },

  async find(q: Queryable, clientId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<SaleRow | null> {
    const { rows } = await q.query<SaleRow>(
      `select ${SALE_COLUMNS} from sales where client_id = $1 and id = $2 ${opts.forUpdate ? 'for update' : ''}`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async byIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<SaleRow[]> {
    const { rows } = await q.query<SaleRow>(
      `select ${SALE_COLUMNS} from sales where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },

  /** Keyset page, newest first. Fetches `limit` rows; callers ask for one more to detect a next page. */
  async page(q: Queryable, clientId: string, filter: SalesFilter, limit: number, after?: string): Promise<SaleRow[]> {
    const f = new SqlFilter()
      .where('client_id = ?', clientId)
      .whereIf(filter.storeCode, 'store_code = ?')
      .whereIf(filter.customerId, 'customer_id = ?')
      .whereIf(filter.status, 'status = ?')
      .whereIf(filter.from, 'sold_at >= ?')
      .whereIf(filter.to, 'sold_at < ?');
    if (after) f.where('(sold_at, id) < (?::timestamptz, ?)', ...decodeCursor(after, 2));
    const { rows } = await q.query<SaleRow>(
      `select ${SALE_COLUMNS} from sales where ${f.sql} order by sold_at desc, id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },

  async itemsBySaleIds(q: Queryable, clientId: string, saleIds: readonly string[]): Promise<SaleItemRow[]> {
    const { rows } = await q.query<SaleItemRow>(
      `select ${ITEM_COLUMNS} from sale_items
        where client_id = $1 and sale_id = any($2::text[]) order by sale_id, line_no`,
      [clientId, saleIds],
    );
    return rows;
  },

  async paymentsBySaleIds(q: Queryable, clientId: string, saleIds: readonly string[]): Promise<PaymentRow[]> {
    const { rows } = await q.query<PaymentRow>(
      `select ${PAYMENT_COLUMNS} from payments
        where client_id = $1 and sale_id = any($2::text[]) order by sale_id, paid_at, id`,
      [clientId, saleIds],
    );
    return rows;
  },

  async findPayment(q: Queryable, clientId: string, id: string): Promise<PaymentRow | null> {
    const { rows } = await q.query<PaymentRow>(
      `select ${PAYMENT_COLUMNS} from payments where client_id = $1 and id = $2`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async insertPayment(q: Queryable, clientId: string, p: PaymentRow): Promise<PaymentRow> {
    const { rows } = await q.query<PaymentRow>(
      `insert into payments (client_id, id, sale_id, method, amount, installments, paid_at, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${PAYMENT_COLUMNS}`,
      [clientId, p.id, p.saleId, p.method, p.amount, p.installments, p.paidAt, p.payloadHash],
    );
    return rows[0];
  },

  async setPaid(q: Queryable, clientId: string, id: string, paidAmount: Money, status: SaleStatus): Promise<SaleRow> {
    const { rows } = await q.query<SaleRow>(
      `update sales set paid_amount = $3, status = $4, updated_at = now()
        where client_id = $1 and id = $2 returning ${SALE_COLUMNS}`,
      [clientId, id, paidAmount, status],
    );
    return rows[0];
  },

  async markCancelled(q: Queryable, clientId: string, id: string, reason: string, cancelledAt: Date): Promise<SaleRow> {
    const { rows } = await q.query<SaleRow>(
      `update sales set status = 'cancelled', cancellation_reason = $3, cancelled_at = $4, updated_at = now()
       where client_id = $1 and id = $2 returning ${SALE_COLUMNS}`,
      [clientId, id, reason, cancelledAt],
    );
    return rows[0];
  },
};
