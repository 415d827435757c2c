import type { FastifyBaseLogger } from 'fastify';
import { Queryable } from '../db/database';
import { AuditEntry, auditRepository } from './audit.repository';

/** The audit trail: who did what, when, from where, with what outcome. A failed write is logged, never fatal. */
export class AuditService {
  constructor(private readonly db: Queryable) {}

  async record(entry: AuditEntry, log?: Pick<FastifyBaseLogger, 'warn'>): Promise<void> {
    try {
      await auditRepository.insert(this.db, entry);
    } catch (err) {
      log?.warn({ err, action: entry.action }, 'could not write the audit entry');
    }
  }
}

/** `ok`, or `refused:<code>` (4xx) / `failed:<code>` (5xx). */
export function outcomeOf(status: number, code?: string): string {
  if (status < 400) return 'ok';
  return `${status >= 500 ? 'failed' : 'refused'}:${code ?? status}`;
}
