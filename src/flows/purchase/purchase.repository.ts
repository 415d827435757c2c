import { Queryable } from '../../db/database';
import { Money } from '../../shared/money';

export type PurchaseOrderStatus = 'open' | 'received' | 'confirmed';
export type DivergenceKind = 'over' | 'under';

export interface PurchaseOrderRow {
  id: string;
  supplierId: string;
  destinationCode: string;
  expectedAt: string | null;
  orderedAt: Date;
  status: PurchaseOrderStatus;
  confirmedAt: Date | null;
  confirmedDocumentNumber: string | null;
  confirmationHash: string | null;
  payloadHash: string;
}

export interface PurchaseOrderItemRow {
  orderId: string;
  lineNo: number;
  sku: string;
  description: string | null;
  quantity: number;
  unitCost: Money;
}

export interface PurchaseDocumentRow {
  orderId: string;
  number: string;
  series: string;
  accessKey: string;
  issuedAt: Date;
  receivedAt: Date;
  payloadHash: string;
}

export interface PurchaseDocumentItemRow {
  orderId: string;
  documentNumber: string;
  sku: string;
  quantity: number;
}

export interface PurchaseDivergenceRow {
  orderId: string;
  sku: string;
  ordered: number;
  received: number;
  difference: number;
  kind: DivergenceKind;
}

export interface NewPurchaseOrder {
  id: string;
  supplierId: string;
  destinationCode: string;
  expectedAt: string | null;
  orderedAt: Date;
  payloadHash: string;
}

const ORDER_COLUMNS = `id, supplier_id as "supplierId", destination_code as "destinationCode",
  to_char(expected_on, 'YYYY-MM-DD') as "expectedAt", ordered_at as "orderedAt", status,
  confirmed_at as "confirmedAt", confirmed_document_number as "confirmedDocumentNumber",
  confirmation_hash as "confirmationHash", payload_hash as "payloadHash"`;
const ITEM_COLUMNS = `order_id as "orderId", line_no as "lineNo", sku, description, quantity, unit_cost as "unitCost"`;
const DOCUMENT_COLUMNS = `order_id as "orderId", number, series, access_key as "accessKey", issued_at as "issuedAt",
  received_at as "receivedAt", payload_hash as "payloadHash"`;
const DIVERGENCE_COLUMNS = `order_id as "orderId", sku, ordered, received, difference, kind`;

export const purchaseRepository = {
  /** Inserts the order unless its id exists; returns the new row, or null when it already existed. */
  async insertOrder(q: Queryable, clientId: string, o: NewPurchaseOrder): Promise<PurchaseOrderRow | null> {
    const { rows } = await q.query<PurchaseOrderRow>(
      `insert into purchase_orders
              (client_id, id, supplier_id, destination_code, expected_on, ordered_at, status, payload_hash)
       values ($1, $2, $3, $4, $5, $6, 'open', $7)
       on conflict (client_id, id) do nothing
       returning ${ORDER_COLUMNS}`,
      [clientId, o.id, o.supplierId, o.destinationCode, o.expectedAt, o.orderedAt, o.payloadHash],
    );
    return rows[0] ?? null;
  },

  async insertItems(
    q: Queryable,
    clientId: string,
    orderId: string,
    items: Array<Omit<PurchaseOrderItemRow, 'orderId'>>,
  ): Promise<void> {
    await q.query(
      `insert into purchase_order_items (client_id, order_id, line_no, sku, description, quantity, unit_cost)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::text[], $6::int[], $7::numeric[])`,
      [
        clientId,
        orderId,
        items.map((i) => i.lineNo),
        items.map((i) => i.sku),
        items.map((i) => i.description),
        items.map((i) => i.quantity),
        items.map((i) => i.unitCost),
      ],
    );
  },

  async findOrder(
    q: Queryable,
    clientId: string,
    id: string,
    opts: { forUpdate?: boolean } = {},
  ): Promise<PurchaseOrderRow | null> {
    const { rows } = await q.query<PurchaseOrderRow>(
      `select ${ORDER_COLUMNS} from purchase_orders
        where client_id = $1 and id = $2 ${opts.forUpdate ? 'for update' : ''}`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async ordersByIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<PurchaseOrderRow[]> {
    const { rows } = await q.query<PurchaseOrderRow>(
      `select ${ORDER_COLUMNS} from purchase_orders where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },

  async itemsByOrderIds(q: Queryable, clientId: string, orderIds: readonly string[]): Promise<PurchaseOrderItemRow[]> {
    const { rows } = await q.query<PurchaseOrderItemRow>(
      `select ${ITEM_COLUMNS} from purchase_order_items
        where client_id = $1 and order_id = any($2::text[]) order by order_id, line_no`,
      [clientId, orderIds],
    );
    return rows;
  },

  /**
   * Inserts the document unless its number (within the order) or its access key exists; returns
   * the new row, or null when either was already taken.
   */
  async insertDocument(q: Queryable, clientId: string, d: PurchaseDocumentRow): Promise<PurchaseDocumentRow | null> {
    const { rows } = await q.query<PurchaseDocumentRow>(
      `insert into purchase_documents
              (client_id, order_id, number, series, access_key, issued_at, received_at, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict do nothing
       returning ${DOCUMENT_COLUMNS}`,
      [clientId, d.orderId, d.number, d.series, d.accessKey, d.issuedAt, d.receivedAt, d.payloadHash],
    );
    return rows[0] ?? null;
  },

  /** The document holding this number in the order, or else the one holding this access key. */
  async findDocument(
    q: Queryable,
    clientId: string,
    orderId: string,
    number: string,
    accessKey?: string,
  ): Promise<PurchaseDocumentRow | null> {
    const { rows } = await q.query<PurchaseDocumentRow>(
      `select ${DOCUMENT_COLUMNS} from purchase_documents
        where client_id = $1 and ((order_id = $2 and number = $3) or access_key = $4)
        order by (order_id = $2 and number = $3) desc limit 1`,
      [clientId, orderId, number, accessKey ?? null],
    );
    return rows[0] ?? null;
  },

  async insertDocumentItems(
    q: Queryable,
    clientId: string,
    orderId: string,
    documentNumber: string,
    items: Array<{ sku: string; quantity: number }>,
  ): Promise<void> {
    await q.query(
      `insert into purchase_document_items (client_id, order_id, document_number, sku, quantity)
       select $1, $2, $3, * from unnest($4::text[], $5::int[])`,
      [clientId, orderId, documentNumber, items.map((i) => i.sku), items.map((i) => i.quantity)],
    );
  },

  async documentsByOrderIds(
    q: Queryable,
    clientId: string,
    orderIds: readonly string[],
  ): Promise<PurchaseDocumentRow[]> {
    const { rows } = await q.query<PurchaseDocumentRow>(
      `select ${DOCUMENT_COLUMNS} from purchase_documents
        where client_id = $1 and order_id = any($2::text[]) order by order_id, received_at, number`,
      [clientId, orderIds],
    );
    return rows;
  },

  async documentItemsByKeys(
    q: Queryable,
    clientId: string,
    keys: ReadonlyArray<{ orderId: string; number: string }>,
  ): Promise<PurchaseDocumentItemRow[]> {
    const { rows } = await q.query<PurchaseDocumentItemRow>(
      `select order_id as "orderId", document_number as "documentNumber", sku, quantity from purchase_document_items
        where client_id = $1 and (order_id, document_number) in (select * from unnest($2::text[], $3::text[]))
        order by order_id, document_number, sku`,
      [clientId, keys.map((k) => k.orderId), keys.map((k) => k.number)],
    );
    return rows;
  },

  /** Received quantity per sku over every document of the order. */
  async receivedTotals(
    q: Queryable,
    clientId: string,
    orderId: string,
  ): Promise<Array<{ sku: string; quantity: number }>> {
    const { rows } = await q.query<{ sku: string; quantity: number }>(
      `select sku, sum(quantity)::int as quantity from purchase_document_items
        where client_id = $1 and order_id = $2 group by sku order by sku`,
      [clientId, orderId],
    );
    return rows;
  },

  /** Recomputes ordered vs received (over all the order's documents); keeps a row per sku that differs. */
  async refreshDivergences(q: Queryable, clientId: string, orderId: string): Promise<void> {
    await q.query(`delete from purchase_divergences where client_id = $1 and order_id = $2`, [clientId, orderId]);
    await q.query(
      `insert into purchase_divergences (client_id, order_id, sku, ordered, received, difference, kind)
       select $1, $2, sku, ordered, received, received - ordered,
              case when received > ordered then 'over' else 'under' end
         from (
           select sku, coalesce(o.quantity, 0) as ordered, coalesce(r.quantity, 0) as received
             from (select sku, quantity from purchase_order_items where client_id = $1 and order_id = $2) o
             full join (select sku, sum(quantity)::int as quantity from purchase_document_items
                         where client_id = $1 and order_id = $2 group by sku) r using (sku)
         ) d
        where ordered <> received`,
      [clientId, orderId],
    );
  },

  async divergencesByOrderIds(
    q: Queryable,
    clientId: string,
    orderIds: readonly string[],
  ): Promise<PurchaseDivergenceRow[]> {
    const { rows } = await q.query<PurchaseDivergenceRow>(
      `select ${DIVERGENCE_COLUMNS} from purchase_divergences
        where client_id = $1 and order_id = any($2::text[]) order by order_id, sku`,
      [clientId, orderIds],
    );
    return rows;
  },

  async setStatus(q: Queryable, clientId: string, id: string, status: PurchaseOrderStatus): Promise<PurchaseOrderRow> {
    const { rows } = await q.query<PurchaseOrderRow>(
      `update purchase_orders set status = $3, updated_at = now()
        where client_id = $1 and id = $2 returning ${ORDER_COLUMNS}`,
      [clientId, id, status],
    );
    return rows[0];
  },

  async markConfirmed(
    q: Queryable,
    clientId: string,
    id: string,
    c: { confirmedAt: Date; documentNumber: string; hash: string },
  ): Promise<PurchaseOrderRow> {
    const { rows } = await q.query<PurchaseOrderRow>(
      `update purchase_orders
          set status = 'confirmed', confirmed_at = $3, confirmed_document_number = $4, confirmation_hash = $5,
              updated_at = now()
        where client_id = $1 and id = $2 returning ${ORDER_COLUMNS}`,
      [clientId, id, c.confirmedAt, c.documentNumber, c.hash],
    );
    return rows[0];
  },
};
