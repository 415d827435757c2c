import type { Queryable } from '../../db/database';

/** How a run gets executed: an `etl-run` job on the pg-boss queue (etl.jobs.ts). */
export interface EtlDispatcher {
  /** `tx`: the transaction that created or re-queued the run; the job commits with it. */
  enqueue(runId: string, tx?: Queryable): Promise<void>;
  /** Resolves when every dispatched run has settled (tests, tools). */
  idle(): Promise<void>;
}

/** Until the queue is wired (services.ts), nothing can execute a run. */
export const NO_DISPATCHER: EtlDispatcher = {
  enqueue: async () => {
    throw new Error('no ETL dispatcher is wired');
  },
  idle: async () => undefined,
};
