import type { FastifyBaseLogger } from 'fastify';
import { Queryable } from '../db/database';
import { AuditEntry, auditRepository } from './audit.repository';

const MAX_BATCH = 500;

interface Pending {
  entry: AuditEntry;
  done: () => void;
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * The audit trail: who did what, when, from where, with what outcome. `record` resolves once the
 * entry is written; entries recorded in the same turn of the event loop share one INSERT, so the
 * trail costs one statement per burst rather than one per request. A failed write is logged, never fatal.
 */
export class AuditService {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: Queryable) {}

  record(entry: AuditEntry, log?: Pick<FastifyBaseLogger, 'warn'>): Promise<void> {
    return new Promise((done) => {
      this.pending.push({ entry, done, log });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length) setImmediate(() => void this.flush());
    else this.scheduled = false;
    try {
      await auditRepository.insertMany(
        this.db,
        batch.map((p) => p.entry),
      );
    } catch (err) {
      batch[0]?.log?.warn({ err, entries: batch.length }, 'could not write audit entries');
    }
    for (const p of batch) p.done();
  }
}

/** `ok`, or `refused:<code>` (4xx) / `failed:<code>` (5xx). */
export function outcomeOf(status: number, code?: string): string {
  if (status < 400) return 'ok';
  return `${status >= 500 ? 'failed' : 'refused'}:${code ?? status}`;
}
