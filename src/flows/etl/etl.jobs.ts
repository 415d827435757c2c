import { setTimeout as sleep } from 'node:timers/promises';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { CLIENTS } from '../../clients/registry';
import type { Config } from '../../config';
import { Database, Queryable } from '../../db/database';
import { onTransaction } from '../../queue/webhook-queue';
import type { EtlDispatcher } from './etl.dispatcher';
import { etlRepository } from './etl.repository';
import type { EtlService } from './etl.service';
import { businessDateFor, dailyBatchCron } from './schedule';

/** One job per run to execute (or resume) it. */
export const ETL_RUN_QUEUE = 'etl-run';
/** Fired by each client's cron schedule (key = client id): starts the day before's batch. */
export const ETL_DAILY_BATCH_QUEUE = 'etl-daily-batch';

export interface EtlRunJob {
  runId: string;
}
export interface DailyBatchJob {
  clientId: string;
}

/** Why a job is failed on purpose: pg-boss retries it later (another worker's lease, a shutdown mid-run). */
class RetryLater extends Error {}

/**
 * ETL runs on the pg-boss queue. Starting a run sends an `etl-run` job in the transaction that
 * created (or re-queued) the run, so the job exists exactly when the run does; a worker claims the
 * run and executes it. The job carries a heartbeat: when the process dies, pg-boss retries it and
 * the next worker resumes from the run's checkpoints. A graceful stop ends the run after its current
 * chunk and hands it back to the queue the same way. One run per client and date is kept by the
 * run table (a unique index) and the run's lease, not by the job.
 */
export class EtlJobs implements EtlDispatcher {
  private boss?: PgBoss;
  /** Runs this process sent, for `idle()`. */
  private readonly sent = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly etl: EtlService,
  ) {}

  /** The queue's extension: creates the queues; where workers run, works them and (re)registers the schedules. */
  async attach(boss: PgBoss, opts: { workers: boolean }): Promise<void> {
    this.boss = boss;
    const lease = Math.max(this.config.etl.leaseSeconds, 10);
    await ensureQueue(boss, ETL_RUN_QUEUE, {
      policy: 'stately',
      heartbeatSeconds: 30,
      expireInSeconds: 24 * 3600,
      // A run held by a worker that stopped is claimable once its lease runs out: retries cover it.
      retryLimit: 20,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: lease,
      retentionSeconds: 14 * 24 * 3600,
      deleteAfterSeconds: 7 * 24 * 3600,
    });
    await ensureQueue(boss, ETL_DAILY_BATCH_QUEUE, {
      retryLimit: 5,
      retryDelay: 30,
      retryBackoff: true,
      expireInSeconds: 600,
    });
    if (!opts.workers) return;
    const polling = { pollingIntervalSeconds: this.config.queue.pollIntervalSeconds };
    await boss.work<EtlRunJob>(ETL_RUN_QUEUE, { ...polling, batchSize: 1 }, async ([job]) =>
      this.runJob(job.data.runId),
    );
    await boss.work<DailyBatchJob>(
      ETL_DAILY_BATCH_QUEUE,
      { ...polling, batchSize: 1, includeMetadata: true as const },
      async ([job]) => this.startScheduled(job as JobWithMetadata<DailyBatchJob>),
    );
    await this.registerSchedules(boss);
  }

  async enqueue(runId: string, tx?: Queryable): Promise<void> {
    if (!this.boss) throw new Error('the queue is not started: ETL runs are executed by its workers');
    await this.boss.send(ETL_RUN_QUEUE, { runId } satisfies EtlRunJob, {
      singletonKey: runId,
      ...(tx ? { db: onTransaction(tx) } : {}),
    });
    this.sent.add(runId);
  }

  /** Resolves when every run this process sent is finished, failed or cancelled (tests, tools). */
  async idle(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sent.size > 0) {
      const { rows } = await this.db.query<{ id: string }>(
        `select id from etl_runs where id = any($1::uuid[]) and status in ('queued', 'running')`,
        [[...this.sent]],
      );
      const open = new Set(rows.map((r) => r.id));
      for (const id of this.sent) if (!open.has(id)) this.sent.delete(id);
      if (this.sent.size === 0) return;
      if (Date.now() > until)
        throw new Error(`ETL runs still open after ${timeoutMs} ms: ${[...this.sent].join(', ')}`);
      await sleep(50);
    }
  }

  /** The schedules registered for the daily batches: one per client with an ETL source. */
  async schedules(): Promise<Array<{ key: string; cron: string; timezone: string | null; data: unknown }>> {
    if (!this.boss) return [];
    return (await this.boss.getSchedules(ETL_DAILY_BATCH_QUEUE)).map((s) => ({
      key: s.key,
      cron: s.cron,
      timezone: s.timezone,
      data: s.data,
    }));
  }

  private async runJob(runId: string): Promise<void> {
    const outcome = await this.etl.execute(runId);
    if (outcome === 'interrupted')
      throw new RetryLater(`run ${runId} was interrupted by a shutdown; it resumes from its checkpoint`);
    if (outcome === 'done') return;
    // Not claimable: finished (nothing to do), or held by a worker — alive, or gone until its lease ends.
    const run = await etlRepository.find(this.db, runId);
    if (run && (run.status === 'running' || run.status === 'queued'))
      throw new RetryLater(`run ${runId} is held by another worker`);
  }

  /** A fired schedule: the client's batch for its local day before the fire time (as a mutation would start it). */
  private async startScheduled(job: JobWithMetadata<DailyBatchJob>): Promise<void> {
    const client = CLIENTS[job.data.clientId];
    if (!client) return;
    const businessDate = businessDateFor(job.createdOn, client.timezone);
    await this.db.transaction((tx) => this.etl.startDailyBatch(tx, client.id, 'schedule', { businessDate }));
  }

  /** One schedule per client with an ETL source, at its `dailyBatchAt` (02:00) in its timezone; stale ones removed. */
  private async registerSchedules(boss: PgBoss): Promise<void> {
    const wanted = Object.values(CLIENTS).filter((c) => c.etl && this.config.etl.sources[c.id]);
    for (const c of wanted) {
      await boss.schedule(
        ETL_DAILY_BATCH_QUEUE,
        dailyBatchCron(c.etl!.dailyBatchAt),
        { clientId: c.id } satisfies DailyBatchJob,
        { tz: c.timezone, key: c.id },
      );
    }
    const keep = new Set(wanted.map((c) => c.id));
    for (const s of await boss.getSchedules(ETL_DAILY_BATCH_QUEUE))
      if (!keep.has(s.key)) await boss.unschedule(ETL_DAILY_BATCH_QUEUE, s.key);
  }
}

async function ensureQueue(boss: PgBoss, name: string, options: Parameters<PgBoss['createQueue']>[1]): Promise<void> {
  if (await boss.getQueue(name)) return;
  await boss.createQueue(name, options).catch(async (err) => {
    if (!(await boss.getQueue(name))) throw err; // another instance created it at the same moment
  });
}
