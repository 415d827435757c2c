import type { PoolClient, QueryResultRow } from 'pg';
import type { Database, Queryable } from './database';
import { CommitOutcomeUnknown, isStatementError, wasNeverSent } from './store-errors';

interface MergedItem {
  item: unknown;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

/** The items of one merged statement still to be sent, and how to send them. */
interface Merge {
  items: MergedItem[];
  runMany: (items: unknown[]) => Promise<unknown[]>;
}

/**
 * One transaction on one connection (see Database.transaction): its statements are pipelined, those
 * nobody waits for are held back and sent together, and the units of a group commit merge theirs.
 */
export class Transaction implements Queryable {
  /** How many units of work run side by side in this transaction (a group commit's batch). */
  sharedBy = 1;
  private readonly merging = new Map<string, Merge>();
  /** Units of work of a group commit's batch that have not finished (see runUnits). */
  private unitsRunning = 0;
  private readonly inFlight: Array<Promise<unknown>> = [];
  private readonly unsent: Array<{ text: string; values?: unknown[] }> = [];
  private readonly onCommit: Array<() => void> = [];
  private readonly collected = new Map<
    string,
    { items: unknown[]; flush: (items: unknown[]) => void | Promise<void> }
  >();
  private firstFailure: unknown;
  /** Overrides the database's statement timeout for this transaction's statements (see allowSlowStatements). */
  private readTimeoutMs?: number;

  constructor(
    private readonly client: PoolClient,
    private readonly owner: Database,
  ) {}

  get database(): Database {
    return this.owner;
  }

  /**
   * Lets this transaction's next statements run for up to `timeoutMs` (a rebuild, a migration)
   * instead of the database's statement timeout, which is sized for the request path.
   */
  allowSlowStatements(timeoutMs: number): void {
    this.readTimeoutMs = timeoutMs;
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
   * same turn of the event loop. Items queued under `key` reach `runMany` together once every unit
   * still running has asked (see runUnits), else when the turn ends: one statement and one round trip
   * for all instead of one each. If it fails, every unit's call fails (the group commit then runs each
   * unit alone). A transaction of one unit runs at once.
   */
  merge<I, R>(key: string, item: I, runMany: (items: I[]) => Promise<R[]>): Promise<R> {
    if (this.sharedBy <= 1) return runMany([item]).then((results) => results[0]);
    return new Promise<R>((resolve, reject) => {
      const merge = this.merging.get(key) ?? this.openMerge(key, runMany as Merge['runMany']);
      merge.items.push({ item, resolve: resolve as (r: unknown) => void, reject });
      // Every unit still running has asked: nothing more can join, no need to wait for the turn's end
      // (which, on a busy event loop, comes after the other requests this turn holds).
      if (merge.items.length >= this.unitsRunning) queueMicrotask(() => this.sendMerged(key, merge));
    });
  }

  private openMerge(key: string, runMany: Merge['runMany']): Merge {
    const merge: Merge = { items: [], runMany };
    this.merging.set(key, merge);
    setImmediate(() => this.sendMerged(key, merge));
    return merge;
  }

  /**
   * Runs the units of a group commit's batch side by side, counting those still running: a merged
   * statement is sent as soon as each of them has asked for it (else at the end of the turn).
   */
  runUnits<T>(works: Array<() => Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
    this.unitsRunning = works.length;
    return Promise.allSettled(
      works.map(async (work) => {
        try {
          return await work();
        } finally {
          // The units still running may all be waiting at a merge for this one. (Once none runs, a merge
          // still waiting is one nobody awaited: COMMIT refuses it, see commit.)
          if (--this.unitsRunning > 0) {
            for (const [key, merge] of this.merging)
              if (merge.items.length >= this.unitsRunning) queueMicrotask(() => this.sendMerged(key, merge));
          }
        }
      }),
    );
  }

  private sendMerged(key: string, merge: Merge): void {
    if (this.merging.get(key) !== merge) return; // already sent, or cancelled: the transaction ended without it
    this.merging.delete(key);
    merge.runMany(merge.items.map((m) => m.item)).then(
      (results) => merge.items.forEach((m, i) => m.resolve(results[i])),
      (err) => merge.items.forEach((m) => m.reject(err)),
    );
  }

  /** @internal called by Database.transaction after COMMIT. */
  committed(): void {
    for (const fn of this.onCommit.splice(0)) fn();
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) {
    this.owner.queryCount++;
    try {
      const statement = this.owner.statement(text, values, this.readTimeoutMs);
      return await this.inOneWrite(() => this.client.query<R>(statement, values));
    } catch (err) {
      // "current transaction is aborted", or the connection closed under it (a pipelined statement
      // timing out closes it): the cause is the pipelined statement that failed first.
      const aborted = (err as { code?: string }).code === '25P02' || !isStatementError(err);
      if (aborted && this.firstFailure) throw this.firstFailure;
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
    const stream = (this.client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection
      ?.stream;
    stream?.cork();
    try {
      for (const { text, values } of this.unsent.splice(0)) {
        const sent = this.client.query(this.owner.statement(text, values, this.readTimeoutMs), values);
        // observed at commit (or settle); never an unhandled rejection
        sent.catch((err) => (this.firstFailure ??= err));
        this.inFlight.push(sent);
      }
      return next();
    } finally {
      stream?.uncork();
    }
  }

  /**
   * COMMIT, queued behind the pipelined statements; any of them refused means nothing committed.
   * A COMMIT sent but never answered (the connection lost or silent) throws CommitOutcomeUnknown:
   * the server may have committed it.
   */
  async commit(): Promise<void> {
    // A merged statement still waiting for its turn would run after the COMMIT, on a released client.
    if (this.merging.size > 0)
      throw this.cancelMerges(
        new Error(`merged statements not awaited before COMMIT: ${[...this.merging.keys()].join(', ')}`),
      );
    for (const { items, flush } of this.collected.values()) if (items.length) await flush(items);
    this.collected.clear();
    this.owner.queryCount++;
    const statement = this.owner.statement('COMMIT', undefined, this.readTimeoutMs);
    const commit = this.inOneWrite(() => this.client.query(statement));
    commit.catch(() => undefined); // awaited below, after the statements ahead of it
    const pending = this.inFlight.splice(0);
    const failed = (await Promise.allSettled(pending)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    let done;
    try {
      done = await commit;
    } catch (err) {
      // A statement the server refused aborted the transaction: its COMMIT cannot have committed.
      if (failed && isStatementError(failed.reason)) throw failed.reason;
      if (isStatementError(err) || wasNeverSent(err)) throw err;
      throw new CommitOutcomeUnknown(err);
    }
    // A COMMIT in a transaction a failed statement aborted is answered ROLLBACK, not an error.
    if (failed) throw failed.reason;
    if (done.command !== 'COMMIT') throw new Error(`transaction ended with ${done.command}`);
  }

  /** Fails the merged statements still waiting for their turn; they will never run. */
  private cancelMerges(reason: Error): Error {
    for (const merge of this.merging.values()) for (const m of merge.items) m.reject(reason);
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
