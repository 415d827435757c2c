import { Queryable } from '../db/database';
import { SqlFilter } from '../db/sql-filter';
import { decodeCursor, encodeCursor } from '../shared/pagination';

export type AuditSource = 'rest' | 'graphql' | 'cli';

export interface AuditEntry {
  clientId: string | null;
  actor: string;
  role: string | null;
  source: AuditSource;
  action: string;
  target: string | null;
  ip: string | null;
  outcome: string;
  details?: Record<string, unknown> | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: Date;
}

export interface AuditFilter {
  clientId?: string;
  actor?: string;
  source?: AuditSource;
  action?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000. A hostile path or argument carrying one must not
 * sink the INSERT, which is shared by every entry recorded in the same turn: it is stored as U+FFFD.
 */
// eslint-disable-next-line no-control-regex -- NUL is what it replaces
const NUL = /\u0000/g;
/** `\u0000` escapes in JSON text (not preceded by an odd number of backslashes, i.e. not literal text). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
const text = (v: string | null | undefined, max: number): string | null =>
  v == null ? null : v.slice(0, max).replace(NUL, '\uFFFD');
const json = (v: Record<string, unknown> | null | undefined): string | null =>
  v ? JSON.stringify(v).replace(NUL_ESCAPE, '$1\\ufffd') : null;

const COLUMNS = `id, at, client_id as "clientId", actor, role, source, action, target, ip, outcome, details`;

export function auditCursor(r: Pick<AuditRow, 'at' | 'id'>): string {
  return encodeCursor([r.at.toISOString(), String(r.id)]);
}

export const auditRepository = {
  /** One statement for a batch of entries (concurrent requests share it). */
  async insertMany(q: Queryable, entries: AuditEntry[]): Promise<void> {
    if (!entries.length) return;
    await q.query(
      `insert into audit_log (client_id, actor, role, source, action, target, ip, outcome, details)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::jsonb[])`,
      [
        entries.map((e) => text(e.clientId || null, 64)),
        entries.map((e) => text(e.actor, 200)),
        entries.map((e) => text(e.role, 32)),
        entries.map((e) => e.source),
        entries.map((e) => text(e.action, 200)),
        entries.map((e) => text(e.target, 200)),
        entries.map((e) => text(e.ip, 64)),
        entries.map((e) => text(e.outcome, 100)),
        entries.map((e) => json(e.details)),
      ],
    );
  },

  async page(q: Queryable, filter: AuditFilter, limit: number, after?: string): Promise<AuditRow[]> {
    const f = new SqlFilter()
      .where('true')
      .whereIf(filter.clientId, 'client_id = ?')
      .whereIf(filter.actor, 'actor = ?')
      .whereIf(filter.source, 'source = ?')
      .whereIf(filter.action, 'action = ?')
      .whereIf(filter.outcome, "split_part(outcome, ':', 1) = ?")
      .whereIf(filter.from, 'at >= ?')
      .whereIf(filter.to, 'at < ?');
    if (after) f.where('(at, id) < (?::timestamptz, ?::bigint)', ...decodeCursor(after, 2));
    const { rows } = await q.query<AuditRow>(
      `select ${COLUMNS} from audit_log where ${f.sql} order by at desc, id desc limit ${f.param(limit)}`,
      f.values,
    );
    return rows;
  },
};
