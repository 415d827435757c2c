import { Database, Transaction } from './database';

interface Unit<T> {
  work: (tx: Transaction) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  waiting: Array<Unit<any>>;
  /** Batches of the lane in flight. */
  running: number;
}

/**
 * Group commit for independent units of work (one webhook delivery each) that contend for the same
 * rows. Units of one lane (e.g. a client's sales, which move its stock rows) run in
 * at most `batchesPerLane` batches at a time (two: one prepares while the other holds the rows and
 * commits): a unit starts at once when its lane has room; otherwise it waits, and the next batch
 * runs the waiting units together in one transaction — side by side on its connection, the same
 * statement of every unit merged into one (Transaction.merge) — and one COMMIT. Deliveries that
 * would each hold a hot stock row through their own WAL flush share one flush instead. If any unit
 * fails, the batch is rolled back and each of its units runs again alone, so a failure only ever
 * affects its own unit.
 * A unit's promise settles once what it wrote is committed (or it failed).
 */
export class GroupCommit {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly db: Database,
    private readonly maxBatch: number,
    private readonly batchesPerLane = 2,
  ) {}

  run<T>(lane: string | null, work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (lane === null || this.maxBatch <= 1) return this.db.transaction(work);
    let l = this.lanes.get(lane);
    if (!l) {
      l = { waiting: [], running: 0 };
      this.lanes.set(lane, l);
    }
    const target = l;
    return new Promise<T>((resolve, reject) => {
      target.waiting.push({ work, resolve, reject });
      this.pump(lane, target);
    });
  }

  private pump(name: string, lane: Lane): void {
    while (lane.running < this.batchesPerLane && lane.waiting.length > 0) {
      lane.running++;
      const batch = lane.waiting.splice(0, this.maxBatch);
      void this.commit(batch).finally(() => {
        lane.running--;
        this.pump(name, lane);
      });
    }
    if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(name);
  }

  private async commit(batch: Array<Unit<any>>): Promise<void> {
    if (batch.length > 1) {
      let values: unknown[] | undefined;
      try {
        values = await this.db.transaction(async (tx) => {
          tx.sharedBy = batch.length;
          const results = await Promise.allSettled(batch.map((unit) => unit.work(tx)));
          if (results.some((r) => r.status === 'rejected')) throw new BatchFailed();
          return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
        });
      } catch {
        values = undefined; // a unit or the COMMIT failed: nothing of the batch is stored
      }
      if (values) {
        batch.forEach((unit, i) => unit.resolve(values![i]));
        return;
      }
    }
    for (const unit of batch) await this.db.transaction(unit.work).then(unit.resolve, unit.reject);
  }
}

class BatchFailed extends Error {}
