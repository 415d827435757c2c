import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';

/**
 * Tests need a real PostgreSQL. TEST_DATABASE_URL points at one (CI uses the machine's); without it
 * a throwaway embedded PostgreSQL 17 is started for the run. Each test file then creates its own
 * database on that server (see test-db.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'axon-test-pg-'));
  chmodSync(dir, 0o755); // as root, the cluster runs as an unprivileged user that must reach it
  const port = 55_000 + Math.floor(Math.random() * 5_000);
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'data'), port });
  process.env.TEST_DATABASE_URL = pg.url;
  (globalThis as Record<string, unknown>).__EMBEDDED_PG__ = pg;

  console.log(`\n[tests] TEST_DATABASE_URL not set: using an embedded PostgreSQL on port ${port}`);
}
