import { Queryable } from '../../db/database';
import { Money } from '../../shared/money';

export interface ReturnRow {
  id: string;
  saleId: string;
  storeCode: string;
  returnedAt: Date;
  /** The returned items as sold, after discounts: the most that may be refunded. */
  value: Money;
  refundedAmount: Money;
  payloadHash: string;
}

export interface ReturnItemRow {
  returnId: string;
  lineNo: number;
  sku: string;
  quantity: number;
  reason: string | null;
  value: Money;
}

export interface RefundRow {
  id: string;
  returnId: string;
  method: string;
  amount: Money;
  refundedAt: Date;
  payloadHash: string;
}

const RETURN_COLUMNS = `id, sale_id as "saleId", store_code as "storeCode", returned_at as "returnedAt", value,
  refunded_amount as "refundedAmount", payload_hash as "payloadHash"`;
const ITEM_COLUMNS = `return_id as "returnId", line_no as "lineNo", sku, quantity, reason, value`;
const REFUND_COLUMNS = `id, return_id as "returnId", method, amount, refunded_at as "refundedAt",
  payload_hash as "payloadHash"`;

export const returnRepository = {
  async insert(q: Queryable, clientId: string, r: Omit<ReturnRow, 'refundedAmount'>): Promise<ReturnRow> {
    const { rows } = await q.query<ReturnRow>(
      `insert into returns (client_id, id, sale_id, store_code, returned_at, value, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${RETURN_COLUMNS}`,
      [clientId, r.id, r.saleId, r.storeCode, r.returnedAt, r.value, r.payloadHash],
    );
    return rows[0];
  },

  async insertItems(
    q: Queryable,
    clientId: string,
    returnId: string,
    items: Array<Omit<ReturnItemRow, 'returnId'>>,
  ): Promise<void> {
    await q.query(
      `insert into return_items (client_id, return_id, line_no, sku, quantity, reason, value)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::numeric[])`,
      [
        clientId,
        returnId,
        items.map((i) => i.lineNo),
        items.map((i) => i.sku),
        items.map((i) => i.quantity),
        items.map((i) => i.reason),
        items.map((i) => i.value),
      ],
    );
  },

  async find(
    q: Queryable,
    clientId: string,
    id: string,
    opts: { forUpdate?: boolean } = {},
  ): Promise<ReturnRow | null> {
    const { rows } = await q.query<ReturnRow>(
      `select ${RETURN_COLUMNS} from returns where client_id = $1 and id = $2 ${opts.forUpdate ? 'for update' : ''}`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async byIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<ReturnRow[]> {
    const { rows } = await q.query<ReturnRow>(
      `select ${RETURN_COLUMNS} from returns where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },

  async bySaleIds(q: Queryable, clientId: string, saleIds: readonly string[]): Promise<ReturnRow[]> {
    const { rows } = await q.query<ReturnRow>(
      `select ${RETURN_COLUMNS} from returns
        where client_id = $1 and sale_id = any($2::text[]) order by sale_id, returned_at, id`,
      [clientId, saleIds],
    );
    return rows;
  },

  /** Units of each sku already returned from a sale. */
  async returnedBySku(q: Queryable, clientId: string, saleId: string): Promise<Map<string, number>> {
    const { rows } = await q.query<{ sku: string; quantity: number }>(
      `select ri.sku, sum(ri.quantity)::int as quantity
         from return_items ri join returns r on r.client_id = ri.client_id and r.id = ri.return_id
        where r.client_id = $1 and r.sale_id = $2
        group by ri.sku`,
      [clientId, saleId],
    );
    return new Map(rows.map((r) => [r.sku, r.quantity]));
  },

  async itemsByReturnIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<ReturnItemRow[]> {
    const { rows } = await q.query<ReturnItemRow>(
      `select ${ITEM_COLUMNS} from return_items
        where client_id = $1 and return_id = any($2::text[]) order by return_id, line_no`,
      [clientId, ids],
    );
    return rows;
  },

  async findRefund(q: Queryable, clientId: string, id: string): Promise<RefundRow | null> {
    const { rows } = await q.query<RefundRow>(
      `select ${REFUND_COLUMNS} from refunds where client_id = $1 and id = $2`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async insertRefund(q: Queryable, clientId: string, r: RefundRow): Promise<RefundRow> {
    const { rows } = await q.query<RefundRow>(
      `insert into refunds (client_id, id, return_id, method, amount, refunded_at, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${REFUND_COLUMNS}`,
      [clientId, r.id, r.returnId, r.method, r.amount, r.refundedAt, r.payloadHash],
    );
    return rows[0];
  },

  async setRefunded(q: Queryable, clientId: string, id: string, refundedAmount: Money): Promise<void> {
    await q.query(`update returns set refunded_amount = $3, updated_at = now() where client_id = $1 and id = $2`, [
      clientId,
      id,
      refundedAmount,
    ]);
  },

  async refundsByReturnIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<RefundRow[]> {
    const { rows } = await q.query<RefundRow>(
      `select ${REFUND_COLUMNS} from refunds
        where client_id = $1 and return_id = any($2::text[]) order by return_id, refunded_at, id`,
      [clientId, ids],
    );
    return rows;
  },
};
