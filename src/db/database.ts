import { createHash } from 'node:crypto';
import { Pool, PoolClient, QueryConfig, QueryResultRow, types } from 'pg';

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
  /**
   * Parameterised statements as named prepared statements (default): parsed and planned once per
   * connection instead of on every call. Off for poolers that cannot keep them (PgBouncer in
   * transaction mode before 1.21, e.g. Supabase's pooler on port 6543).
   */
  preparedStatements?: boolean;
}

const statementNames = new Map<string, string>();

/** A parameterised statement as a named prepared statement (its name derived from its text). */
function prepared(text: string, values: unknown[] | undefined, enabled: boolean): string | QueryConfig {
  if (!enabled || !values?.length) return text;
  let name = statementNames.get(text);
  if (!name) {
    name = `hub_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
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

  /** The form a statement is sent in (see DatabaseOptions.preparedStatements). */
  statement(text: string, values?: unknown[]): string | QueryConfig {
    return prepared(text, values, this.options.preparedStatements ?? true);
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
export function merged<I, R>(q: Queryable, key: string, item: I, runMany: (q: Queryable, items: I[]) => Promise<R[]>): Promise<R> {
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

interface MergedItem {
  item: unknown;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

export class Transaction implements Queryable {
  /** How many units of work run side by side in this transaction (a group commit's batch). */
  sharedBy = 1;
  private readonly merging = new Map<string, MergedItem[]>();
  private readonly inFlight: Array<Promise<unknown>> = [];
  private readonly unsent: Array<{ text: string; values?: unknown[] }> = [];
  private readonly onCommit: Array<() => void> = [];
  private readonly collected = new Map<string, { items: unknown[]; flush: (items: unknown[]) => void | Promise<void> }>();
  private firstFailure: unknown;

  constructor(
    private readonly client: PoolClient,
    private readonly owner: Database,
  ) {}

  get database(): Database {
    return this.owner;
  }

  /** Runs `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void {
    this.onCommit.push(fn);
  }

  /**
   * Adds `item` to what the transaction writes in one go just before its COMMIT: every item collected
   * under `key` reaches `flush` together (e.g. the after-commit reactions of every delivery a group
   * commit holds, one queue insert for all).
   */
  collect<T>(key: string, item: T, flush: (items: T[]) => void | Promise<void>): void {
    const entry = this.collected.get(key) ?? { items: [], flush: flush as (items: unknown[]) => void | Promise<void> };
    entry.items.push(item);
    this.collected.set(key, entry);
  }

  /**
   * Merges the same statement of the units sharing the transaction: the units of a group commit run
   * side by side and, between two statements, only compute, so each reaches the next statement in the
   * same turn of the event loop. Items queued under `key` until the turn ends reach `runMany` together,
   * one statement and one round trip for all instead of one each. If it fails, every unit's call
   * fails (the group commit then runs each unit alone). A transaction of one unit runs at once.
   */
  merge<I, R>(key: string, item: I, runMany: (items: I[]) => Promise<R[]>): Promise<R> {
    if (this.sharedBy <= 1) return runMany([item]).then((results) => results[0]);
    return new Promise<R>((resolve, reject) => {
      let waiting = this.merging.get(key);
      if (!waiting) {
        const batch: MergedItem[] = (waiting = []);
        this.merging.set(key, batch);
        setImmediate(() => {
          if (this.merging.get(key) !== batch) return; // cancelled: the transaction ended without it
          this.merging.delete(key);
          runMany(batch.map((m) => m.item as I)).then(
            (results) => batch.forEach((m, i) => m.resolve(results[i])),
            (err) => batch.forEach((m) => m.reject(err)),
          );
        });
      }
      waiting.push({ item, resolve: resolve as (r: unknown) => void, reject });
    });
  }

  /** @internal called by Database.transaction after COMMIT. */
  committed(): void {
    for (const fn of this.onCommit.splice(0)) fn();
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    this.owner.queryCount++;
    try {
      return await this.inOneWrite(() => this.client.query<R>(this.owner.statement(text, values), values));
    } catch (err) {
      // "current transaction is aborted": the cause is the pipelined statement that failed first.
      if ((err as { code?: string }).code === '25P02' && this.firstFailure) throw this.firstFailure;
      throw err;
    }
  }

  /**
   * A statement whose result nobody reads, not waited for: it is sent with the transaction's next
   * query or its COMMIT (see inOneWrite), runs in order with the transaction's other statements, and
   * its failure fails the COMMIT. This saves a round trip per write on the request path (e.g. the
   * ledger row after the sale, the event's final status).
   */
  pipeline(text: string, values?: unknown[]): void {
    this.owner.queryCount++;
    this.unsent.push({ text, values });
  }

  /**
   * Sends the statements `pipeline` held back, then what `next` sends, in one write to the socket:
   * held-back statements wait for the transaction's next query or its COMMIT, so a delivery's
   * trailing writes and its COMMIT (or BEGIN and its first query) cost one system call, not one each.
   */
  private inOneWrite<T>(next: () => T): T {
    const stream = (this.client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection?.stream;
    stream?.cork();
    try {
      for (const { text, values } of this.unsent.splice(0)) {
        const sent = this.client.query(this.owner.statement(text, values), values);
        sent.catch((err) => (this.firstFailure ??= err)); // observed at commit (or settle); never an unhandled rejection
        this.inFlight.push(sent);
      }
      return next();
    } finally {
      stream?.uncork();
    }
  }

  /** COMMIT, queued behind the pipelined statements; any of them failing means nothing committed. */
  async commit(): Promise<void> {
    // A merged statement still waiting for its turn would run after the COMMIT, on a released client.
    if (this.merging.size > 0) throw this.cancelMerges(new Error(`merged statements not awaited before COMMIT: ${[...this.merging.keys()].join(', ')}`));
    for (const { items, flush } of this.collected.values()) if (items.length) await flush(items);
    this.collected.clear();
    this.owner.queryCount++;
    const commit = this.inOneWrite(() => this.client.query('COMMIT'));
    const pending = this.inFlight.splice(0);
    const failed = (await Promise.allSettled(pending)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const done = await commit;
    // A COMMIT in a transaction a failed statement aborted is answered ROLLBACK, not an error.
    if (failed) throw failed.reason;
    if (done.command !== 'COMMIT') throw new Error(`transaction ended with ${done.command}`);
  }

  /** Fails the merged statements still waiting for their turn; they will never run. */
  private cancelMerges(reason: Error): Error {
    for (const batch of this.merging.values()) for (const m of batch) m.reject(reason);
    this.merging.clear();
    return reason;
  }

  /** Waits for every pipelined statement to finish (before a ROLLBACK), ignoring their outcome. */
  async settle(): Promise<void> {
    this.cancelMerges(new Error('the transaction was rolled back'));
    this.unsent.length = 0; // never sent: nothing to undo
    await Promise.allSettled(this.inFlight.splice(0));
  }
}
