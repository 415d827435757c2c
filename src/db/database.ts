import { createHash } from 'node:crypto';
import { Pool, QueryConfig, QueryResultRow, types } from 'pg';
import { CommitOutcomeUnknown, isStoreUnavailable } from './store-errors';
import { Transaction } from './transaction';

export { Transaction };

// int8 (counts, bigserial ids) as JS numbers; numeric stays a string so money is never a float.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

/** node-postgres' `ssl` option for a DATABASE_SSL mode. */
export function pgSsl(mode: DatabaseOptions['ssl']): boolean | { rejectUnauthorized: false } | undefined {
  return mode === 'require' ? true : mode === 'no-verify' ? { rejectUnauthorized: false } : undefined;
}

/** Anything that can run a query: the pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface DatabaseOptions {
  connectionString: string;
  max: number;
  ssl?: 'disable' | 'require' | 'no-verify';
  applicationName?: string;
  /**
   * Parameterised statements as named prepared statements (default): parsed and planned once per
   * connection instead of on every call. Off for poolers that cannot keep them (PgBouncer in
   * transaction mode before 1.21, e.g. Supabase's pooler on port 6543).
   */
  preparedStatements?: boolean;
  /** Longest wait for a connection: opening one, or a free one from a full pool (0: no bound). */
  connectTimeoutMs?: number;
  /**
   * Longest wait for a statement's answer (0: no bound). Past it the connection is closed (the
   * server rolls back what was not committed) and the call fails as the store being unavailable.
   */
  statementTimeoutMs?: number;
}

/** The bound of statements known to be long (migrations, rebuilds; see Transaction.allowSlowStatements). */
export const SLOW_STATEMENT_TIMEOUT_MS = 600_000;

const statementNames = new Map<string, string>();

/** A parameterised statement as a named prepared statement (its name derived from its text). */
function prepared(
  text: string,
  values: unknown[] | undefined,
  enabled: boolean,
  readTimeoutMs?: number,
): string | QueryConfig {
  const timeout = readTimeoutMs ? { query_timeout: readTimeoutMs } : undefined;
  if (!enabled || !values?.length) return timeout ? { text, values, ...timeout } : text;
  let name = statementNames.get(text);
  if (!name) {
    name = `hub_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values, ...timeout };
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
      // Both the pool's wait for a connection and each client's connect (pg hands it to Client).
      connectionTimeoutMillis: opts.connectTimeoutMs || undefined,
      // Client-side, so it also bounds a server that went silent (a stalled network answers nothing);
      // with pipelining, a statement timing out closes its connection.
      query_timeout: opts.statementTimeoutMs || undefined,
      // Protocol pipelining: statements queued on a connection are written at once, so a transaction's
      // trailing writes and its COMMIT cost one round trip (see Transaction.pipeline).
      pipeline: true,
    });
    // An idle client losing its connection must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    this.queryCount++;
    return this.pool.query<R>(this.statement(text, values), values);
  }

  /**
   * The form a statement is sent in (see DatabaseOptions.preparedStatements); `readTimeoutMs`
   * overrides statementTimeoutMs for it.
   */
  statement(text: string, values?: unknown[], readTimeoutMs?: number): string | QueryConfig {
    return prepared(text, values, this.options.preparedStatements ?? true, readTimeoutMs);
  }

  /**
   * Runs `fn` in one transaction on one connection; rolls back on any error. BEGIN is not awaited
   * on its own: node-postgres sends a client's queries in order, so the first query of `fn` follows
   * it in the same turn. Queries `fn` hands to `tx.pipeline` are awaited with the COMMIT.
   */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose server goes away emits 'error'; its queries reject anyway.
    const onError = () => undefined;
    client.on('error', onError);
    const tx = new Transaction(client, this);
    let broken = false;
    try {
      tx.pipeline('BEGIN');
      const result = await fn(tx);
      await tx.commit();
      tx.committed();
      return result;
    } catch (err) {
      await tx.settle();
      // A connection that failed or went silent is closed instead: the server rolls back what it had
      // not committed, and a ROLLBACK would only wait for it again.
      if (err instanceof CommitOutcomeUnknown || isStoreUnavailable(err)) broken = true;
      else await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Whether the store answers `select 1`; false once `timeoutMs` has passed without an answer. */
  async ping(timeoutMs = 0): Promise<boolean> {
    const answered = this.pool.query('select 1').then(
      () => true,
      () => false,
    );
    if (!timeoutMs) return answered;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * A write whose result nobody reads: pipelined inside a transaction (see Transaction.pipeline),
 * awaited on its own otherwise.
 */
export async function send(q: Queryable, text: string, values?: unknown[]): Promise<void> {
  if (q instanceof Transaction) q.pipeline(text, values);
  else await q.query(text, values);
}

/**
 * One statement for what several units of work sharing a transaction (a group commit's deliveries)
 * each ask of it in the same turn of the event loop: `runMany` gets every unit's item and answers one
 * result per item, in order (see Transaction.merge). Outside a transaction the item runs alone.
 */
export function merged<I, R>(
  q: Queryable,
  key: string,
  item: I,
  runMany: (q: Queryable, items: I[]) => Promise<R[]>,
): Promise<R> {
  if (q instanceof Transaction) return q.merge(key, item, (items) => runMany(q, items));
  return runMany(q, [item]).then((results) => results[0]);
}

/** Runs `fn` once what `q` wrote is committed: after the transaction, or at once outside one. */
export function whenCommitted(q: Queryable, fn: () => void): void {
  if (q instanceof Transaction) q.afterCommit(fn);
  else fn();
}

/** The database a Queryable writes to (a transaction's owner, or the database itself). */
export function databaseOf(q: Queryable): Queryable {
  return q instanceof Transaction ? q.database : q;
}
