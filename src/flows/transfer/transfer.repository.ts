import { Queryable } from '../../db/database';
import { SqlFilter } from '../../db/sql-filter';
import { decodeCursor, encodeCursor } from '../../shared/pagination';

export type TransferStatus = 'created' | 'shipped' | 'received' | 'received_with_divergence';

export interface TransferRow {
  id: string;
  originCode: string;
  destinationCode: string;
  status: TransferStatus;
  createdAt: Date;
  shippedAt: Date | null;
  receivedAt: Date | null;
  carrier: string | null;
  trackingCode: string | null;
  payloadHash: string;
}

export interface TransferItemRow {
  transferId: string;
  lineNo: number;
  sku: string;
  quantitySent: number;
  quantityReceived: number | null;
  divergence: number | null;
}

export interface TransferEventRow {
  id: number;
  transferId: string;
  status: TransferStatus;
  occurredAt: Date;
  carrier: string | null;
  trackingCode: string | null;
  payloadHash: string;
  recordedAt: Date;
}

export interface NewTransfer {
  id: string;
  originCode: string;
  destinationCode: string;
  createdAt: Date;
  payloadHash: string;
}

const TRANSFER_COLUMNS = `id, origin_code as "originCode", destination_code as "destinationCode", status,
  created_at as "createdAt", shipped_at as "shippedAt", received_at as "receivedAt", carrier,
  tracking_code as "trackingCode", payload_hash as "payloadHash"`;
const ITEM_COLUMNS = `transfer_id as "transferId", line_no as "lineNo", sku, quantity_sent as "quantitySent",
  quantity_received as "quantityReceived", divergence`;
const EVENT_COLUMNS = `id, transfer_id as "transferId", status, occurred_at as "occurredAt", carrier,
  tracking_code as "trackingCode", payload_hash as "payloadHash", recorded_at as "recordedAt"`;

export function transferCursor(t: Pick<TransferRow, 'createdAt' | 'id'>): string {
  return encodeCursor([t.createdAt.toISOString(), t.id]);
}

export const transferRepository = {
  /** Inserts the transfer unless its id exists; returns the new row, or null when it already existed. */
  async insert(q: Queryable, clientId: string, t: NewTransfer): Promise<TransferRow | null> {
    const { rows } = await q.query<TransferRow>(
      `insert into transfers (client_id, id, origin_code, destination_code, status, created_at, payload_hash)
       values ($1, $2, $3, $4, 'created', $5, $6)
       on conflict (client_id, id) do nothing
       returning ${TRANSFER_COLUMNS}`,
      [clientId, t.id, t.originCode, t.destinationCode, t.createdAt, t.payloadHash],
    );
    return rows[0] ?? null;
  },

  async insertItems(
    q: Queryable,
    clientId: string,
    transferId: string,
    items: Array<{ lineNo: number; sku: string; quantitySent: number }>,
  ): Promise<void> {
    await q.query(
      `insert into transfer_items (client_id, transfer_id, line_no, sku, quantity_sent)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::int[])`,
      [clientId, transferId, items.map((i) => i.lineNo), items.map((i) => i.sku), items.map((i) => i.quantitySent)],
    );
  },

  /** Sets what arrived per sku; skus that arrived without being sent get a line with quantity_sent 0. */
  async setReceived(
    q: Queryable,
    clientId: string,
    transferId: string,
    received: Array<{ sku: string; quantity: number }>,
  ): Promise<void> {
    await q.query(
      `with r as (select * from unnest($3::text[], $4::int[]) as t(sku, quantity)),
       base as (select coalesce(max(line_no), 0) as n from transfer_items where client_id = $1 and transfer_id = $2)
       insert into transfer_items as ti (client_id, transfer_id, line_no, sku, quantity_sent, quantity_received)
       select $1, $2, base.n + row_number() over (order by r.sku), r.sku, 0, r.quantity from r, base
       on conflict (client_id, transfer_id, sku) do update set quantity_received = excluded.quantity_received`,
      [clientId, transferId, received.map((r) => r.sku), received.map((r) => r.quantity)],
    );
  },

  async insertEvent(
    q: Queryable,
    clientId: string,
    e: {
      transferId: string;
      status: TransferStatus;
      occurredAt: Date;
      carrier?: string | null;
      trackingCode?: string | null;
      payloadHash: string;
    },
  ): Promise<void> {
    await q.query(
      `insert into transfer_events (client_id, transfer_id, status, occurred_at, carrier, tracking_code, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [clientId, e.transferId, e.status, e.occurredAt, e.carrier ?? null, e.trackingCode ?? null, e.payloadHash],
    );
  },

  async markShipped(
    q: Queryable,
    clientId: string,
    id: string,
    s: { shippedAt: Date; carrier: string; trackingCode: string },
  ): Promise<TransferRow> {
    const { rows } = await q.query<TransferRow>(
      `update transfers set status = 'shipped', shipped_at = $3, carrier = $4, tracking_code = $5, updated_at = now()
       where client_id = $1 and id = $2 returning ${TRANSFER_COLUMNS}`,
      [clientId, id, s.shippedAt, s.carrier, s.trackingCode],
    );
    return rows[0];
  },

  async markReceived(
    q: Queryable,
    clientId: string,
    id: string,
    status: TransferStatus,
    receivedAt: Date,
  ): Promise<TransferRow> {
    const { rows } = await q.query<TransferRow>(
      `update transfers set status = $3, received_at = $4, updated_at = now()
        where client_id = $1 and id = $2 returning ${TRANSFER_COLUMNS}`,
      [clientId, id, status, receivedAt],
    );
    return rows[0];
  },

  async find(
    q: Queryable,
    clientId: string,
    id: string,
    opts: { forUpdate?: boolean } = {},
  ): Promise<TransferRow | null> {
    const { rows } = await q.query<TransferRow>(
      `select ${TRANSFER_COLUMNS} from transfers
        where client_id = $1 and id = $2 ${opts.forUpdate ? 'for update' : ''}`,
      [clientId, id],
    );
    return rows[0] ?? null;
  },

  async byIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<TransferRow[]> {
    const { rows } = await q.query<TransferRow>(
      `select ${TRANSFER_COLUMNS} from transfers where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },

  /** Keyset page, newest first. Callers ask for one row more than the page to detect a next page. */
  async page(
    q: Queryable,
    clientId: string,
    filter: { status?: TransferStatus },
    limit: number,
    after?: string,
  ): Promise<TransferRow[]> {
    const f = new SqlFilter().where('client_id = ?', clientId).whereIf(filter.status, 'status = ?');
    if (after) f.where('(created_at, id) < (?::timestamptz, ?)', ...decodeCursor(after, 2));
    const { rows } = await q.query<TransferRow>(
      `select ${TRANSFER_COLUMNS} from transfers
        where ${f.sql} order by created_at desc, id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },

  async itemsByTransferIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<TransferItemRow[]> {
    const { rows } = await q.query<TransferItemRow>(
      `select ${ITEM_COLUMNS} from transfer_items
        where client_id = $1 and transfer_id = any($2::text[]) order by transfer_id, line_no`,
      [clientId, ids],
    );
    return rows;
  },

  async eventsByTransferIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<TransferEventRow[]> {
    const { rows } = await q.query<TransferEventRow>(
      `select ${EVENT_COLUMNS} from transfer_events
        where client_id = $1 and transfer_id = any($2::text[]) order by transfer_id, id`,
      [clientId, ids],
    );
    return rows;
  },
};
