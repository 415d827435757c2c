import type { EvaluateEventJob } from './evaluate-event.job';

/**
 * Where after-commit reactions go. In-process for now; with the durable queue it becomes
 * `{ dispatch: (job) => boss.send('evaluate-event', job, { singletonKey: keyOf(job) }) }` and a worker
 * calling `evaluateEvent(job.data)` — the only line that changes.
 */
export interface EventDispatcher {
  dispatch(job: EvaluateEventJob): Promise<void>;
}

/** Runs jobs in the background with bounded concurrency; a failing job is logged, never rethrown. */
export class InProcessDispatcher implements EventDispatcher {
  private readonly waiting: EvaluateEventJob[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly handler: (job: EvaluateEventJob) => Promise<void>,
    private readonly onError: (err: unknown, job: EvaluateEventJob) => void,
    private readonly concurrency = 2,
  ) {}

  async dispatch(job: EvaluateEventJob): Promise<void> {
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const run: Promise<void> = this.handler(job)
        .catch((err) => this.onError(err, job))
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  /** Resolves when nothing is waiting or running (tests, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (this.running.size === 0 && this.waiting.length === 0) return;
      await Promise.all([...this.running]);
    }
  }
}
