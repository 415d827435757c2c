import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set (global-setup sets it)');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  db: Database;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file, on the real PostgreSQL server. */
export async function createTestDatabase(opts: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `axon_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = withDatabase(serverUrl(), name);
  const db = new Database({ connectionString: url, max: opts.poolMax ?? 10 });
  if (opts.migrate !== false) await migrate(db);
  return {
    url,
    name,
    db,
    async drop() {
      await db.close().catch(() => undefined);
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
