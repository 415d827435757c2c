import { Queryable } from '../db/database';
import { SqlFilter } from '../db/sql-filter';
import { decodeCursor, encodeCursor } from '../shared/pagination';

export interface QuarantineRow {
  id: string;
  clientId: string | null;
  flow: string | null;
  reason: string;
  message: string;
  ip: string | null;
  headers: Record<string, string>;
  bodySize: number;
  receivedAt: Date;
}

export interface QuarantineFilter {
  clientId?: string;
  reason?: string;
  from?: Date;
  to?: Date;
}

const COLUMNS = `id, client_id as "clientId", flow, reason, message, ip, headers, body_size as "bodySize",
  received_at as "receivedAt"`;

export function quarantineCursor(r: Pick<QuarantineRow, 'receivedAt' | 'id'>): string {
  return encodeCursor([r.receivedAt.toISOString(), r.id]);
}

export const quarantineRepository = {
  async insert(q: Queryable, r: Omit<QuarantineRow, 'id' | 'receivedAt'>): Promise<void> {
    await q.query(
      `insert into quarantine (client_id, flow, reason, message, ip, headers, body_size)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [r.clientId, r.flow, r.reason, r.message.slice(0, 500), r.ip, r.headers, r.bodySize],
    );
  },

  async page(q: Queryable, filter: QuarantineFilter, limit: number, after?: string): Promise<QuarantineRow[]> {
    const f = new SqlFilter()
      .where('true')
      .whereIf(filter.clientId, 'client_id = ?')
      .whereIf(filter.reason, 'reason = ?')
      .whereIf(filter.from, 'received_at >= ?')
      .whereIf(filter.to, 'received_at < ?');
    if (after) f.where('(received_at, id) < (?::timestamptz, ?::uuid)', ...decodeCursor(after, 2));
    const { rows } = await q.query<QuarantineRow>(
      `select ${COLUMNS} from quarantine where ${f.sql} order by received_at desc, id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },
};
