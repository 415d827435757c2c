import type { RfmService } from '../analytics/rfm.service';
import { Database } from '../db/database';
import { webhookEventRepository } from '../webhooks/webhook-event.repository';
import { domainEventsOf, salesAffectingRfm } from './domain-events';
import { DomainEvent, RuleEventType } from './event-types';
import type { RuleService } from './rule.service';

/** The job: a processed delivery (by its audit row) or a circuit breaker's state change. JSON-serialisable. */
export type EvaluateEventJob =
  | { kind: 'webhook'; clientId: string; webhookEventId: string }
  | { kind: 'circuit'; clientId: string; name: string; state: string; previous: string | null; at: string };

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
 * The after-commit reaction to one event: re-score the customers whose RFM it changed, then evaluate
 * the client's rules on the domain events it stands for. Safe to run twice (RFM re-scoring is
 * idempotent; a rule fires at most once per event).
 */
export function createEvaluateEvent(deps: EvaluateEventDeps): (job: EvaluateEventJob) => Promise<void> {
  return async function evaluateEvent(job) {
    let events: DomainEvent[];
    if (job.kind === 'circuit') {
      events = circuitEvents(job);
    } else {
      const row = await webhookEventRepository.find(deps.db, job.clientId, job.webhookEventId);
      if (!row || row.status !== 'processed') return;
      const sales = salesAffectingRfm(row);
      if (sales.length) await deps.rfm.refreshCustomersOfSales(job.clientId, sales);
      events = await domainEventsOf(deps.db, row);
    }
    for (const e of events) await deps.rules.evaluate(e);
  };
}
