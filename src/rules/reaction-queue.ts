import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { JobResult, JobWithMetadata, PgBoss, SendOptions } from 'pg-boss';
import type { QueueConfig, RuleWebhookConfig } from '../config';
import { Database, Queryable, Transaction } from '../db/database';
import { ensureQueue, onTransaction, QueueExtension } from '../queue/webhook-queue';
import { EvaluateEventJob, reactionJobsOf, WebhookJob } from './evaluate-event.job';
import type { EventDispatcher } from './event-dispatcher';
import { reactionQueueRepository } from './reaction-queue.repository';

export const EVALUATE_QUEUE = 'evaluate-event';
export const EVALUATE_DEAD_QUEUE = 'evaluate-event-dead';
export const OUTBOUND_WEBHOOK_QUEUE = 'rule-outbound-webhook';
export const OUTBOUND_WEBHOOK_DEAD_QUEUE = 'rule-outbound-webhook-dead';

/** One webhook action of one firing: the job carries references only (the secret stays in `rules`). */
export interface OutboundWebhookJob {
  clientId: string;
  firingId: string;
  /** Index of the action in the rule's actions (and of its result in the firing's results). */
  actionIndex: number;
}

export interface ReactionHandlers {
  /** Evaluates a batch; per job, null or the error that fails (and retries) it. */
  evaluate(jobs: EvaluateEventJob[]): Promise<Array<unknown | null>>;
  /**
   * One attempt of one outbound webhook; `lastAttempt`: no retry follows. False fails the attempt
   * (retry or dead letter).
   */
  deliverWebhook(job: OutboundWebhookJob, attempt: { number: number; lastAttempt: boolean }): Promise<boolean>;
  /** Backstop for webhook jobs pg-boss failed terminally itself (expired on their last attempt, …). */
  webhookDeadLettered(job: OutboundWebhookJob): Promise<void>;
}

export interface ReactionQueueConfig {
  queue: QueueConfig;
  batchSize: number;
  webhooks: RuleWebhookConfig;
}

/** pg-boss statements whose result is not needed, pipelined on the transaction (their failure fails its COMMIT). */
function pipelinedOn(tx: Transaction) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      tx.pipeline(text, values);
      return { rows: [] };
    },
  };
}

/** A deterministic job id: the same hub event sent twice (by several instances) is one job. */
function jobIdOf(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The after-commit reactions on pg-boss (the gateway's Postgres, the webhook queue's instance):
 * `evaluate-event` gets one job per processed delivery, enqueued in the delivery's own transaction
 * (no reaction is lost if the process dies after the commit), and one per breaker that changed state;
 * workers take them in batches. Each outbound rule webhook is a `rule-outbound-webhook` job, retried
 * with backoff by pg-boss; both queues dead-letter what exhausts its retries.
 */
export class ReactionQueue implements EventDispatcher, QueueExtension {
  private boss?: PgBoss;
  private handlers?: ReactionHandlers;
  private readonly sending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly config: ReactionQueueConfig,
  ) {}

  /** Who runs the jobs (the rules); set before the queue starts. */
  handle(handlers: ReactionHandlers): void {
    this.handlers = handlers;
  }

  async start(boss: PgBoss, opts: { workers: boolean; log: FastifyBaseLogger }): Promise<void> {
    const { queue, webhooks } = this.config;
    const kept = {
      expireInSeconds: queue.expireSeconds,
      retentionSeconds: 14 * 24 * 3600,
      deleteAfterSeconds: 7 * 24 * 3600,
    };
    await ensureQueue(boss, EVALUATE_DEAD_QUEUE, { ...kept, policy: 'standard', retryLimit: 0 });
    await ensureQueue(boss, EVALUATE_QUEUE, {
      ...kept,
      policy: 'standard',
      deadLetter: EVALUATE_DEAD_QUEUE,
      retryLimit: 5,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 300,
    });
    await ensureQueue(boss, OUTBOUND_WEBHOOK_DEAD_QUEUE, { ...kept, policy: 'standard', retryLimit: 3 });
    await ensureQueue(boss, OUTBOUND_WEBHOOK_QUEUE, {
      ...kept,
      // an attempt is one HTTP call with its own timeout
      expireInSeconds: Math.max(queue.expireSeconds, Math.ceil(webhooks.timeoutMs / 1000) + 30),
      policy: 'standard',
      deadLetter: OUTBOUND_WEBHOOK_DEAD_QUEUE,
    });
    this.boss = boss;
    if (!opts.workers || !this.handlers) return;
    const handlers = this.handlers;
    const polling = { pollingIntervalSeconds: queue.pollIntervalSeconds, burstWhenBatchFull: true };
    await boss.work<EvaluateEventJob>(
      EVALUATE_QUEUE,
      { ...polling, batchSize: this.config.batchSize, localConcurrency: 1, perJobResults: true as const },
      async (jobs): Promise<JobResult[]> => {
        const errors = await handlers.evaluate(jobs.map((j) => j.data));
        return jobs.map((job, i) => {
          if (errors[i]) opts.log.warn({ err: errors[i], job: job.data }, 'rules.evaluate_failed');
          return { id: job.id, status: errors[i] ? 'failed' : 'completed' };
        });
      },
    );
    await boss.work<OutboundWebhookJob>(
      OUTBOUND_WEBHOOK_QUEUE,
      { ...polling, batchSize: 10, localConcurrency: 1, includeMetadata: true as const, perJobResults: true as const },
      (jobs) =>
        Promise.all(
          (jobs as JobWithMetadata<OutboundWebhookJob>[]).map(async (job): Promise<JobResult> => {
            const attempt = { number: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit };
            const ok = await handlers.deliverWebhook(job.data, attempt).catch((err) => {
              opts.log.warn({ err, job: job.data }, 'rules.webhook_failed');
              return false;
            });
            return { id: job.id, status: ok ? 'completed' : 'failed' };
          }),
        ),
    );
    await boss.work<OutboundWebhookJob>(
      OUTBOUND_WEBHOOK_DEAD_QUEUE,
      { pollingIntervalSeconds: queue.pollIntervalSeconds, batchSize: 10 },
      async (jobs) => {
        for (const job of jobs) await handlers.webhookDeadLettered(job.data);
      },
    );
  }

  private started(): PgBoss {
    if (!this.boss) throw new Error('the reaction queue is not started');
    return this.boss;
  }

  /**
   * In the transaction that commits the delivery's effect: the reaction commits (or not) with it.
   * The reactions of a transaction are inserted together, pipelined just before its COMMIT (one
   * statement and one job per client for all the deliveries a group commit holds, no extra round trip).
   */
  async enqueueOn(tx: Queryable, job: WebhookJob): Promise<void> {
    const boss = this.started();
    if (!(tx instanceof Transaction)) {
      await boss.send(EVALUATE_QUEUE, job, { db: onTransaction(tx) });
      return;
    }
    tx.collect(EVALUATE_QUEUE, job, async (jobs) => {
      await boss.insert(
        EVALUATE_QUEUE,
        reactionJobsOf(jobs).map((data) => ({ data })),
        { db: pipelinedOn(tx) },
      );
    });
  }

  /** A reaction to something outside a transaction (a breaker's state change): sent on its own. */
  async dispatch(job: EvaluateEventJob): Promise<void> {
    const options: SendOptions =
      job.kind === 'circuit' ? { id: jobIdOf(`circuit:${job.clientId}:${job.name}:${job.state}:${job.at}`) } : {};
    const sent = this.started().send(EVALUATE_QUEUE, job, options);
    this.sending.add(sent);
    await sent.finally(() => this.sending.delete(sent));
  }

  /** An outbound webhook of a firing, in the firing's transaction. */
  async enqueueWebhook(tx: Queryable, job: OutboundWebhookJob): Promise<void> {
    const { webhooks } = this.config;
    await this.started().send(OUTBOUND_WEBHOOK_QUEUE, job, {
      db: onTransaction(tx),
      retryLimit: webhooks.attempts - 1,
      retryDelay: webhooks.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: webhooks.retryMaxDelaySeconds,
    });
  }

  /**
   * Resolves once no reaction is waiting, running or due for a retry (tests, tooling): checks the
   * job table, not a timer.
   */
  async idle(timeoutMs = 30_000, pollMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.all([...this.sending]);
      const inFlight = this.sending.size; // a send finishing during the count below is not counted by it
      const pending = await reactionQueueRepository.unfinished(this.db, [
        EVALUATE_QUEUE,
        OUTBOUND_WEBHOOK_QUEUE,
        OUTBOUND_WEBHOOK_DEAD_QUEUE,
      ]);
      if (pending === 0 && inFlight === 0 && this.sending.size === 0) return;
      if (Date.now() > deadline) throw new Error(`reactions still pending after ${timeoutMs} ms: ${pending} jobs`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
