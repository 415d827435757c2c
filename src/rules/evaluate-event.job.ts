import type { RfmService } from '../analytics/rfm.service';
import { Database } from '../db/database';
import { webhookEventRepository, WebhookEventRow } from '../webhooks/webhook-event.repository';
import { domainEventsOf, eventTypesOf, salesAffectingRfm } from './domain-events';
import { DomainEvent, RuleEventType } from './event-types';
import type { RuleService } from './rule.service';

/**
 * The job: a processed delivery (by its audit row; `action` and `saleId` are copied in when it is
 * enqueued so that the common case needs no row) or a circuit breaker's state change. JSON-serialisable.
 */
export type EvaluateEventJob =
  | { kind: 'webhook'; clientId: string; webhookEventId: string; action?: string; saleId?: string | null }
  /** The deliveries of one client a group commit applied together: one job for all of them. */
  | {
      kind: 'webhooks';
      clientId: string;
      events: Array<{ webhookEventId: string; action: string; saleId: string | null }>;
    }
  | { kind: 'circuit'; clientId: string; name: string; state: string; previous: string | null; at: string };

export type WebhookJob = Extract<EvaluateEventJob, { kind: 'webhook' }>;
type SingleJob = Exclude<EvaluateEventJob, { kind: 'webhooks' }>;

/** The events of one transaction as jobs: one per client (a single event keeps the one-event shape). */
export function reactionJobsOf(events: WebhookJob[]): EvaluateEventJob[] {
  const byClient = new Map<string, WebhookJob[]>();
  for (const e of events) {
    const group = byClient.get(e.clientId);
    if (group) group.push(e);
    else byClient.set(e.clientId, [e]);
  }
  return [...byClient.values()].map((group) =>
    group.length === 1
      ? group[0]
      : {
          kind: 'webhooks',
          clientId: group[0].clientId,
          events: group.map((e) => ({
            webhookEventId: e.webhookEventId,
            action: e.action ?? '',
            saleId: e.saleId ?? null,
          })),
        },
  );
}

/** A job's events one by one (a `webhooks` job holds several). */
function eventsOf(job: EvaluateEventJob): SingleJob[] {
  if (job.kind !== 'webhooks') return [job];
  return job.events.map((e) => ({ kind: 'webhook', clientId: job.clientId, ...e }));
}

export interface EvaluateEventDeps {
  db: Database;
  rfm: RfmService;
  rules: RuleService;
}

function circuitEvents(job: Extract<EvaluateEventJob, { kind: 'circuit' }>): DomainEvent[] {
  if (job.state !== 'open') return [];
  return [
    {
      type: RuleEventType.BREAKER_OPENED,
      clientId: job.clientId,
      key: `circuit:${job.name}:${job.at}`,
      facts: { name: job.name, previous: job.previous, at: job.at },
    },
  ];
}

/**
 * The after-commit reaction to a batch of events: first the RFM of every client with a sale,
 * cancellation or return in the batch, re-scored whole in one statement per client; then, per event,
 * the client's rules — skipped without a query when no enabled rule listens to the event's types
 * (cached rule sets). Safe to run twice (re-scoring is idempotent; a rule fires at most once per
 * event). Resolves with one entry per job: null, or the error that fails (and retries) that job.
 */
export function createEvaluateEvents(
  deps: EvaluateEventDeps,
): (jobs: EvaluateEventJob[]) => Promise<Array<unknown | null>> {
  /** A job enqueued without its action (by hand, tests): its audit row supplies it. */
  async function completed(job: WebhookJob): Promise<{ job: WebhookJob; row?: WebhookEventRow | null }> {
    if (job.action) return { job };
    const row = await webhookEventRepository.find(deps.db, job.clientId, job.webhookEventId);
    return {
      job: {
        ...job,
        action: row?.action ?? '',
        saleId: row && row.status === 'processed' ? (salesAffectingRfm(row)[0] ?? null) : null,
      },
      row,
    };
  }

  async function rulesFor(job: WebhookJob, known?: WebhookEventRow | null): Promise<void> {
    const wanted = await deps.rules.listenedTo(job.clientId, eventTypesOf(job.action ?? ''));
    if (wanted.size === 0) return;
    const row =
      known === undefined ? await webhookEventRepository.find(deps.db, job.clientId, job.webhookEventId) : known;
    if (!row || row.status !== 'processed') return;
    for (const e of await domainEventsOf(deps.db, row, wanted)) await deps.rules.evaluate(e);
  }

  return async function evaluateEvents(batch) {
    const owners = batch.flatMap((job, i) => eventsOf(job).map(() => i));
    const errors = await evaluateSingle(batch.flatMap(eventsOf));
    const failed: Array<unknown | null> = batch.map(() => null);
    // a job fails (and is retried whole) if any of its events fails
    errors.forEach((err, k) => err && (failed[owners[k]] ??= err));
    return failed;
  };

  async function evaluateSingle(jobs: SingleJob[]): Promise<Array<unknown | null>> {
    const errors: Array<unknown | null> = jobs.map(() => null);
    const prepared = await Promise.all(jobs.map((job) => (job.kind === 'webhook' ? completed(job) : null)));

    // RFM first (rules see the customer's segment): the client re-scored once for the whole batch.
    const clientsWithSales = new Set<string>();
    for (const p of prepared) if (p?.job.saleId) clientsWithSales.add(p.job.clientId);
    for (const clientId of clientsWithSales) {
      try {
        await deps.rfm.rescoreClient(clientId);
      } catch (err) {
        jobs.forEach((job, i) => job.clientId === clientId && prepared[i]?.job.saleId && (errors[i] = err));
      }
    }

    for (const [i, job] of jobs.entries()) {
      if (errors[i]) continue;
      try {
        if (job.kind === 'circuit') for (const e of circuitEvents(job)) await deps.rules.evaluate(e);
        else await rulesFor(prepared[i]!.job, prepared[i]!.row);
      } catch (err) {
        errors[i] = err;
      }
    }
    return errors;
  }
}
