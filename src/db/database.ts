import { Pool, PoolClient, QueryResultRow, types } from 'pg';

// int8 (counts, bigserial ids) as JS numbers; numeric stays a string so money is never a float.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

/** node-postgres' `ssl` option for a DATABASE_SSL mode. */
export function pgSsl(mode: DatabaseOptions['ssl']): boolean | { rejectUnauthorized: false } | undefined {
  return mode === 'require' ? true : mode === 'no-verify' ? { rejectUnauthorized: false } : undefined;
}

/** Anything that can run a query: the pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface DatabaseOptions {
  connectionString: string;
  max: number;
  ssl?: 'disable' | 'require' | 'no-verify';
  applicationName?: string;
}

/**
 * The gateway's handle on Postgres. Counts queries so tests and metrics can see how many
 * round trips an operation costs (the DataLoader bounds are asserted through this counter).
 */
export class Database implements Queryable {
  readonly pool: Pool;
  queryCount = 0;

  constructor(readonly options: DatabaseOptions) {
    const opts = options;
    this.pool = new Pool({
      connectionString: opts.connectionString,
      max: opts.max,
      application_name: opts.applicationName ?? 'axon-hub',
      ssl: pgSsl(opts.ssl),
    });
    // An idle client losing its connection must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    this.queryCount++;
    return this.pool.query<R>(text, values);
  }

  /** Runs `fn` in one transaction on one connection; rolls back on any error. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose server goes away emits 'error'; its queries reject anyway.
    const onError = () => undefined;
    client.on('error', onError);
    const tx = new Transaction(client, this);
    let broken = false;
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('select 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export class Transaction implements Queryable {
  constructor(
    private readonly client: PoolClient,
    private readonly owner: Database,
  ) {}

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    this.owner.queryCount++;
    return this.client.query<R>(text, values);
  }
}
