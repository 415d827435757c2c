import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Benchmarks run on a real PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the
 * machine's local server. Each run gets a throwaway database, dropped at the end.
 */
export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on the server's admin database (create/drop a bench database). */
export async function admin(sql: string, server = benchServerUrl()): Promise<void> {
  const c = new Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `axon_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: benchServerUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(benchServerUrl());
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new Client({ connectionString: benchServerUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
