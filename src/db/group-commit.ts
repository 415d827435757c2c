import { Database, Transaction } from './database';
import { CommitOutcomeUnknown, isStoreUnavailable } from './store-errors';

interface Unit<T> {
  work: (tx: Transaction) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  waiting: Array<Unit<any>>;
  /** Batches of the lane in flight. */
  running: number;
  /** Batches of the lane whose units are still working (not yet at their COMMIT). */
  preparing: number;
}

/**
 * Group commit for independent units of work (one webhook delivery each) that contend for the same
 * rows. Units of one lane (e.g. a client's sales, which move its stock rows) run in
 * at most `batchesPerLane` batches at a time (two: one prepares while the other holds the rows and
 * commits), and a batch starts only once the lane's previous one has reached its COMMIT: a unit
 * starts at once when its lane is idle; otherwise it waits, and the next batch runs the waiting
 * units together in one transaction — side by side on its connection, the same statement of every
 * unit merged into one (Transaction.merge) — and one COMMIT. (Starting a second batch as soon as
 * a slot was free gave alternating batches of ~28 and ~2 deliveries, the small one waiting on the
 * large one's stock rows; gated at the COMMIT they are even, fewer, and cost ~15% less CPU per
 * delivery.) Deliveries that would each hold a hot stock row through their own WAL flush share one
 * flush instead. If any unit fails, the batch is rolled back and each of its units runs again alone,
 * so a failure only ever affects its own unit — unless the store failed: a batch whose COMMIT got no
 * answer may have committed (every unit gets CommitOutcomeUnknown), and one that lost the store before
 * its COMMIT committed nothing (every unit gets that error; run again alone, each would wait for the
 * same outage in turn).
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
      l = { waiting: [], running: 0, preparing: 0 };
      this.lanes.set(lane, l);
    }
    const target = l;
    return new Promise<T>((resolve, reject) => {
      target.waiting.push({ work, resolve, reject });
      this.pump(lane, target);
    });
  }

  private pump(name: string, lane: Lane): void {
    while (lane.running < this.batchesPerLane && lane.preparing === 0 && lane.waiting.length > 0) {
      lane.running++;
      lane.preparing++;
      let prepared = false;
      const ready = () => {
        if (prepared) return;
        prepared = true;
        lane.preparing--;
        this.pump(name, lane);
      };
      const batch = lane.waiting.splice(0, this.maxBatch);
      void this.commit(batch, ready).finally(() => {
        lane.running--;
        ready();
        this.pump(name, lane);
      });
    }
    if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(name);
  }

  /** Runs a batch; `ready` is called once its units have done their work, before its COMMIT. */
  private async commit(batch: Array<Unit<any>>, ready: () => void): Promise<void> {
    if (batch.length === 1) {
      const [unit] = batch;
      await this.db
        .transaction(async (tx) => {
          try {
            return await unit.work(tx);
          } finally {
            ready();
          }
        })
        .then(unit.resolve, unit.reject);
      return;
    }
    let values: unknown[] | undefined;
    try {
      values = await this.db.transaction(async (tx) => {
        tx.sharedBy = batch.length;
        const results = await tx.runUnits(batch.map((unit) => () => unit.work(tx)));
        ready();
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        const outage = failed.find((r) => isStoreUnavailable(r.reason));
        if (outage) throw outage.reason;
        if (failed.length) throw new BatchFailed();
        return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
      });
    } catch (err) {
      if (err instanceof CommitOutcomeUnknown || isStoreUnavailable(err)) {
        for (const unit of batch) unit.reject(err);
        return;
      }
      values = undefined; // a unit or the COMMIT failed: nothing of the batch is stored
    }
    if (values) {
      batch.forEach((unit, i) => unit.resolve(values![i]));
      return;
    }
    for (const unit of batch) await this.db.transaction(unit.work).then(unit.resolve, unit.reject);
  }
}

class BatchFailed extends Error {}
