import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../../db/database';

/** How a run gets executed. In-process now; a pg-boss job (`etl.run`, { runId }) at merge. */
export interface EtlDispatcher {
  /** `tx`: the transaction that created or re-queued the run (a pg-boss send can join it). */
  enqueue(runId: string, tx?: Queryable): Promise<void>;
  /** Resolves when every dispatched run has settled (tests, graceful shutdown). */
  idle(): Promise<void>;
}

export type RunExecutor = (runId: string) => Promise<'done' | 'not-claimable'>;

/**
 * Runs each run in this process, after the current request: `enqueue` returns at once. The run row
 * may still be in the requester's open transaction, so a run not yet claimable is tried again a few
 * times (a transactional pg-boss send removes that wait).
 */
export class InProcessEtlDispatcher implements EtlDispatcher {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly execute: RunExecutor, private readonly onError: (err: unknown, runId: string) => void) {}

  async enqueue(runId: string): Promise<void> {
    const p = this.attempt(runId).catch((err) => this.onError(err, runId)).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  private async attempt(runId: string): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await sleep(i === 0 ? 0 : 50 * i);
      if ((await this.execute(runId)) === 'done') return;
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
