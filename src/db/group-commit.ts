import { Database, Transaction } from './database';

interface Unit<T> {
  work: (tx: Transaction) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  waiting: Array<Unit<any>>;
  busy: boolean;
}

/**
 * Group commit for independent units of work (one webhook delivery each) that contend for the same
 * rows. Units of one lane (e.g. the sales of one store, which move the same stock rows) run one
 * batch at a time: a unit starts at once when its lane is idle; while a batch commits, the units
 * that arrive wait and the next batch takes them together — one transaction, one savepoint per
 * unit (a failing unit is undone alone), one COMMIT. Deliveries that would each hold a hot stock row
 * through their own WAL flush share one flush instead. A unit's promise settles once its batch has
 * committed (or failed). Lanes are independent: their batches lock disjoint stock rows.
 */
export class GroupCommit {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly db: Database,
    private readonly maxBatch: number,
  ) {}

  run<T>(lane: string | null, work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (lane === null || this.maxBatch <= 1) return this.db.transaction(work);
    let l = this.lanes.get(lane);
    if (!l) {
      l = { waiting: [], busy: false };
      this.lanes.set(lane, l);
    }
    const target = l;
    return new Promise<T>((resolve, reject) => {
      target.waiting.push({ work, resolve, reject });
      this.pump(lane, target);
    });
  }

  private pump(name: string, lane: Lane): void {
    if (lane.busy) return;
    if (lane.waiting.length === 0) {
      this.lanes.delete(name);
      return;
    }
    lane.busy = true;
    const batch = lane.waiting.splice(0, this.maxBatch);
    void this.commit(batch).finally(() => {
      lane.busy = false;
      this.pump(name, lane);
    });
  }

  private async commit(batch: Array<Unit<any>>): Promise<void> {
    if (batch.length === 1) {
      const [unit] = batch;
      await this.db.transaction(unit.work).then(unit.resolve, unit.reject);
      return;
    }
    const outcomes: Array<() => void> = [];
    try {
      await this.db.transaction(async (tx) => {
        for (const unit of batch) {
          try {
            const value = await tx.savepoint(() => unit.work(tx));
            outcomes.push(() => unit.resolve(value));
          } catch (err) {
            outcomes.push(() => unit.reject(err));
          }
        }
      });
    } catch (err) {
      // The COMMIT itself failed: nothing of the batch is stored.
      for (const unit of batch) unit.reject(err);
      return;
    }
    for (const settle of outcomes) settle();
  }
}
