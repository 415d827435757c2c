import type { FastifyBaseLogger } from 'fastify';
import { PgBoss } from 'pg-boss';
import type { Db as IDatabase, JobResult, JobWithMetadata } from 'pg-boss';
import type { QueueConfig } from '../config';
import { Queryable } from '../db/database';
import { RetrySettings } from './retry-settings';

export const WEBHOOK_QUEUE = 'webhook-events';
export const DEAD_LETTER_QUEUE = 'webhook-events-dead';

export interface WebhookJob {
  eventId: string;
  clientId: string;
  flow: string;
  /** The event's queue generation when enqueued; a replay starts a new one and voids older jobs. */
  generation: number;
  /** Its group-commit lane (events of one lane apply together under load). */
  lane?: string;
}

/** What a worker did with one event; `retry` fails the job so pg-boss retries it with backoff. */
export type QueuedOutcome = 'processed' | 'skipped' | 'rejected' | 'retry' | 'dead';

/** Another module's jobs on the same pg-boss (ETL runs, schedules), attached once it has started. */
export interface QueueHandlers {
  /** Applies one queued event. `lastAttempt`: no retry follows, a retryable failure is final. */
  process(job: WebhookJob, lastAttempt: boolean): Promise<QueuedOutcome>;
  /** Backstop for jobs pg-boss failed terminally itself (expired on their last attempt, …). */
  deadLettered(job: WebhookJob): Promise<void>;
}

/** pg-boss statements on our own transaction: enqueueing commits or rolls back with the event row. */
export function onTransaction(q: Queryable): IDatabase {
  return { executeSql: (text, values) => q.query(text, values) };
}

/** Further queues on the same pg-boss (rule reactions, …): each sets itself up once pg-boss runs. */
export interface QueueExtension {
  /** `workers`: whether this instance runs workers (QUEUE_WORKERS > 0) or only enqueues. */
  start(boss: PgBoss, opts: { workers: boolean; log: FastifyBaseLogger }): Promise<void>;
}

/** Creates a queue unless it exists (several instances may race to create it). */
export async function ensureQueue(
  boss: PgBoss,
  name: string,
  options: Parameters<PgBoss['createQueue']>[1],
): Promise<void> {
  if (await boss.getQueue(name)) return;
  await boss.createQueue(name, options).catch(async (err) => {
    // Another instance created it at the same moment.
    if (!(await boss.getQueue(name))) throw err;
  });
}

/**
 * The durable queue of webhook events (pg-boss on the gateway's Postgres). A job only points at its
 * webhook_events row; the row's status decides whether there is anything left to apply, so a job
 * run twice (a worker killed mid-job, a replay) never applies its event twice. Jobs of one business
 * entity share a singleton key: one of them is active at a time, in arrival order.
 */
export class WebhookQueue {
  private boss?: PgBoss;
  private stopping = false;
  private takingStopped?: Promise<unknown>;
  private handlers?: QueueHandlers;
  private log?: FastifyBaseLogger;
  private readonly extensions: QueueExtension[] = [];

  constructor(private readonly opts: { connectionString: string; ssl?: unknown; config: QueueConfig }) {}

  /** Who applies the events (the webhook pipeline); set before `start`. */
  handle(handlers: QueueHandlers): void {
    this.handlers = handlers;
  }

  /** Other jobs on this queue's pg-boss; set before `start`. Workers and schedules only where `workers`. */
  extend(extension: QueueExtension): void {
    this.extensions.push(extension);
  }

  get started(): boolean {
    return !!this.boss && !this.stopping;
  }

  async start(log: FastifyBaseLogger): Promise<void> {
    // Services shared by two servers (tests): one pg-boss, not a second one leaking the first.
    if (this.boss && !this.stopping) return;
    const { config } = this.opts;
    this.log = log;
    const boss = new PgBoss({
      connectionString: this.opts.connectionString,
      ssl: this.opts.ssl,
      max: config.poolMax,
      application_name: 'axon-hub-queue',
      // Cron schedules (the ETL's daily batches) are kept by the instances that run workers.
      schedule: config.workers > 0,
      superviseIntervalSeconds: config.superviseIntervalSeconds,
      monitorIntervalSeconds: config.superviseIntervalSeconds,
    });
    boss.on('error', (err) => log.warn({ err }, 'queue.error'));
    await boss.start();
    this.boss = boss;
    this.takingStopped = undefined;
    const shared = {
      expireInSeconds: config.expireSeconds,
      retentionSeconds: 14 * 24 * 3600,
      deleteAfterSeconds: 7 * 24 * 3600,
    };
    await this.ensureQueue(DEAD_LETTER_QUEUE, { ...shared, policy: 'standard', retryLimit: 5 });
    await this.ensureQueue(WEBHOOK_QUEUE, { ...shared, policy: 'singleton', deadLetter: DEAD_LETTER_QUEUE });
    if (config.workers > 0 && this.handlers) {
      // Short polls and bursts while batches come back full. (NOTIFY per job would wake every worker of
      // every instance on each insert: a fetch storm under load.)
      const polling = { pollingIntervalSeconds: config.pollIntervalSeconds };
      await boss.work<WebhookJob>(
        WEBHOOK_QUEUE,
        {
          ...polling,
          localConcurrency: config.workers,
          batchSize: config.batchSize,
          burstWhenBatchFull: true,
          includeMetadata: true as const,
          perJobResults: true as const,
        },
        (jobs) => this.run(jobs as JobWithMetadata<WebhookJob>[]),
      );
      await boss.work<WebhookJob>(DEAD_LETTER_QUEUE, { ...polling, batchSize: 10 }, async (jobs) => {
        for (const job of jobs) await this.handlers!.deadLettered(job.data);
      });
    }
    for (const extension of this.extensions) await extension.start(boss, { workers: config.workers > 0, log });
  }

  /** Enqueues an event inside the caller's transaction (the one that stored it as 'queued'). */
  async enqueue(tx: Queryable, job: WebhookJob, entityKey: string, retry: RetrySettings): Promise<void> {
    if (!this.boss) throw new Error('the webhook queue is not started');
    const id = await this.boss.send(WEBHOOK_QUEUE, job, {
      db: onTransaction(tx),
      singletonKey: `${job.clientId}:${entityKey}`,
      retryLimit: retry.maxAttempts - 1,
      retryDelay: retry.initialDelaySeconds,
      retryBackoff: true,
      retryDelayMax: retry.maxDelaySeconds,
    });
    if (!id) throw new Error(`the queue refused event ${job.eventId}`);
  }

  /**
   * Stops every worker of this pg-boss (webhooks, dead letters, the extensions' queues) taking new
   * jobs; the jobs in hand finish. Enqueueing still works, for deliveries still in flight.
   */
  stopTakingJobs(): void {
    if (!this.boss || this.takingStopped) return;
    const names = new Set(this.boss.getWipData().map((worker) => worker.name));
    this.takingStopped = Promise.allSettled([...names].map((name) => this.boss!.offWork(name, { wait: true })));
  }

  /** Stops fetching, lets the jobs in hand finish, then closes pg-boss's pool. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.boss || this.stopping) return;
    this.stopping = true;
    this.stopTakingJobs();
    await this.boss.stop({ graceful: true, timeout: timeoutMs }).catch((err) => this.log?.warn({ err }, 'queue.stop'));
  }

  /** A batch holds at most one job per entity (singleton policy), so its jobs run side by side. */
  private async run(jobs: JobWithMetadata<WebhookJob>[]): Promise<JobResult[]> {
    return Promise.all(
      jobs.map(async (job): Promise<JobResult> => {
        const outcome = await this.handlers!.process(job.data, job.retryCount >= job.retryLimit).catch(
          () => 'retry' as const,
        );
        // Failing the job hands the retry (backoff with jitter) or the dead-lettering to pg-boss.
        return {
          id: job.id,
          status: outcome === 'retry' || outcome === 'dead' ? 'failed' : 'completed',
          output: { outcome },
        };
      }),
    );
  }

  private ensureQueue(name: string, options: Parameters<PgBoss['createQueue']>[1]): Promise<void> {
    return ensureQueue(this.boss!, name, options);
  }
}
