import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryConfig, QueryResultRow } from 'pg';
import { Database, SLOW_STATEMENT_TIMEOUT_MS } from './database';

const MIGRATIONS_DIR = join(__dirname, 'migrations');
/** Arbitrary constant: every gateway instance takes this advisory lock before migrating. */
const MIGRATION_LOCK_KEY = 774_211_001;

export interface Migration {
  version: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock
 * so two instances starting together cannot race. Returns the versions it applied.
 */
export async function migrate(db: Database, migrations = listMigrations()): Promise<string[]> {
  const client = await db.pool.connect();
  // Waiting for another instance's migrations, or building an index, outlasts the request path's statement timeout.
  const query = <R extends QueryResultRow>(text: string, values?: unknown[]) =>
    client.query<R>({ text, values, query_timeout: SLOW_STATEMENT_TIMEOUT_MS } as QueryConfig);
  const applied: string[] = [];
  try {
    await query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await query(`create table if not exists schema_migrations (
      version text primary key, applied_at timestamptz not null default now())`);
    const { rows } = await query<{ version: string }>('select version from schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await query('BEGIN');
      try {
        await query(m.sql);
        await query('insert into schema_migrations (version) values ($1)', [m.version]);
        await query('COMMIT');
      } catch (err) {
        await query('ROLLBACK');
        throw new Error(`migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
    }
  } finally {
    await query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}
