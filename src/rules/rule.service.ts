import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { rfmRepository } from '../analytics/rfm.repository';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { parseOrThrow } from '../shared/fields';
import type { HubPubSub } from '../subscriptions/hub-events';
import { DomainEvent, RuleEventType } from './event-types';
import { OutboundWebhookSender } from './outbound-webhook';
import type { OutboundWebhookJob } from './reaction-queue';
import { ActionContext, ActionResult, describeAction, RuleAction, ruleActionsSchema, runAction } from './rule-actions';
import { RuleSetCache } from './rule-cache';
import { assertValidConditions, conditionsHold } from './rule-engine';
import { NewRule, ruleRepository, RuleRow } from './rule.repository';

const ruleSchema = z.object({
  name: z.string().trim().min(1).max(120),
  eventType: z.enum(RuleEventType),
  conditions: z.record(z.string(), z.unknown()),
  actions: ruleActionsSchema,
  enabled: z.boolean(),
});

export interface RuleDraft {
  name: string;
  eventType: RuleEventType;
  conditions: Record<string, unknown>;
  actions: unknown[];
  enabled?: boolean;
}

export interface DryRunResult {
  matched: boolean;
  facts: Record<string, unknown>;
  actions: Array<Record<string, unknown>>;
}

/** Rules as data per client, and their evaluation against domain events (after commit, never in ingest). */
export class RuleService {
  private readonly cache: RuleSetCache;

  constructor(
    private readonly db: Database,
    private readonly events: HubPubSub,
    readonly webhooks: OutboundWebhookSender,
    private readonly outbound: ActionContext['outbound'],
    cacheTtlMs: number,
  ) {
    this.cache = new RuleSetCache((clientId) => ruleRepository.list(db, clientId, { enabled: true }), cacheTtlMs);
  }

  /** The event types among `types` that an enabled rule of the client listens to (cached: usually no query). */
  listenedTo<T extends RuleEventType>(clientId: string, types: readonly T[]): Promise<Set<T>> {
    return this.cache.listenedTo(clientId, types);
  }

  private async validated(draft: Partial<RuleDraft>, partial: boolean): Promise<Partial<NewRule>> {
    const schema = partial ? ruleSchema.partial() : ruleSchema;
    const parsed = parseOrThrow(schema, draft, ['input']) as Partial<NewRule>;
    if (parsed.conditions) await assertValidConditions(parsed.conditions, 'input.conditions');
    return parsed;
  }

  async create(clientId: string, draft: RuleDraft): Promise<RuleRow> {
    const rule = (await this.validated({ enabled: true, ...draft }, false)) as NewRule;
    const row = await ruleRepository.insert(this.db, clientId, rule).catch((err: { code?: string }) => {
      if (err.code === '23503') throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
      throw err;
    });
    if (!row)
      throw new GatewayError('GW_BUSINESS_ID_CONFLICT', `A rule named "${rule.name}" already exists`, {
        details: { name: rule.name },
      });
    this.cache.invalidate(clientId);
    return row;
  }

  async update(clientId: string, id: string, draft: Partial<RuleDraft>): Promise<RuleRow> {
    const row = await ruleRepository.update(this.db, clientId, id, await this.validated(draft, true));
    if (!row) throw new GatewayError('GW_NOT_FOUND', `No rule ${id}`, { details: { rule_id: id } });
    this.cache.invalidate(clientId);
    return row;
  }

  async setEnabled(clientId: string, id: string, enabled: boolean): Promise<RuleRow> {
    return this.update(clientId, id, { enabled });
  }

  list(q: Queryable, clientId: string, filter: { eventType?: RuleEventType; enabled?: boolean }): Promise<RuleRow[]> {
    return ruleRepository.list(q, clientId, filter);
  }

  async find(q: Queryable, clientId: string, id: string): Promise<RuleRow> {
    const row = await ruleRepository.find(q, clientId, id);
    if (!row) throw new GatewayError('GW_NOT_FOUND', `No rule ${id}`, { details: { rule_id: id } });
    return row;
  }

  /** The facts rules see: the event's own, plus its customer's RFM and tags. */
  async factsOf(q: Queryable, event: DomainEvent): Promise<Record<string, unknown>> {
    const facts: Record<string, unknown> = { eventType: event.type, ...event.facts };
    if (event.customerId) {
      const rfm = await rfmRepository.current(q, event.clientId, event.customerId);
      facts.customer = {
        id: event.customerId,
        segment: rfm?.segment ?? null,
        recencyDays: rfm?.recencyDays ?? null,
        frequency: rfm?.frequency ?? null,
        monetary: rfm ? Number(rfm.monetary) : null,
        rScore: rfm?.rScore ?? null,
        fScore: rfm?.fScore ?? null,
        mScore: rfm?.mScore ?? null,
        tags: await ruleRepository.customerTags(q, event.clientId, event.customerId),
      };
    }
    return facts;
  }

  /** Tests a stored rule or a draft against a sample event: whether it matches and what it would do. Nothing runs. */
  async dryRun(
    clientId: string,
    rule: { id?: string; draft?: RuleDraft },
    sample: { type?: RuleEventType; facts: Record<string, unknown>; customerId?: string | null },
  ): Promise<DryRunResult> {
    const r = rule.id
      ? await this.find(this.db, clientId, rule.id)
      : ((await this.validated({ enabled: true, ...rule.draft }, false)) as NewRule);
    const event: DomainEvent = {
      type: (sample.type ?? r.eventType) as RuleEventType,
      clientId,
      key: 'dry-run',
      facts: sample.facts,
      customerId: sample.customerId,
    };
    const facts = await this.factsOf(this.db, event);
    const matched = event.type === r.eventType && (await conditionsHold(r.conditions, facts));
    return { matched, facts, actions: matched ? (r.actions as RuleAction[]).map((a) => describeAction(a, facts)) : [] };
  }

  /**
   * Evaluates the client's enabled rules for this event (cached rule set). A matching rule fires at
   * most once per event: its firing row is claimed, its actions run and the firing is recorded in one
   * transaction, which also enqueues its outbound webhooks (settled later by their own jobs).
   */
  async evaluate(event: DomainEvent): Promise<void> {
    const rules = (await this.cache.enabled(event.clientId)).filter((r) => r.eventType === event.type);
    if (rules.length === 0) return;
    const facts = await this.factsOf(this.db, event);
    for (const rule of rules) {
      const started = performance.now();
      if (!(await conditionsHold(rule.conditions, facts))) continue;
      const afterCommit: Array<() => void> = [];
      await this.db.transaction(async (tx) => {
        const firingId = await ruleRepository.claimFiring(tx, event.clientId, rule.id, event.type, event.key, facts);
        if (!firingId) return;
        const results: ActionResult[] = [];
        for (const [index, action] of (rule.actions as RuleAction[]).entries()) {
          results.push(
            await runAction(action, {
              q: tx,
              rule,
              event,
              facts,
              firingId,
              index,
              events: this.events,
              outbound: this.outbound,
              afterCommit,
            }),
          );
        }
        const outcome = results.some((r) => r.pending)
          ? 'running'
          : results.every((r) => r.ok)
            ? 'succeeded'
            : 'failed';
        await ruleRepository.finishFiring(tx, firingId, outcome, results, performance.now() - started);
      });
      for (const run of afterCommit) run();
    }
  }

  /**
   * One attempt of an outbound webhook job: the firing's webhook action, sent once through the
   * target's breaker. Success settles the action's result; a failure is recorded on it and left to
   * the queue's retry, or settles it as failed on the last attempt. True when the job is done.
   */
  async deliverWebhook(job: OutboundWebhookJob, attempt: { number: number; lastAttempt: boolean }): Promise<boolean> {
    const c = await ruleRepository.webhookContext(this.db, job.firingId, job.actionIndex);
    if (!c || !c.result?.pending) return true; // settled already (a job run twice) or the firing is gone
    const action = c.action as RuleAction | null;
    if (action?.type !== 'webhook') {
      await ruleRepository.settleActionResult(this.db, job.firingId, job.actionIndex, {
        type: 'webhook',
        ok: false,
        error: "the rule's action changed before the webhook was sent",
      });
      return true;
    }
    try {
      const status = await this.webhooks.send({
        clientId: c.clientId,
        url: action.url,
        secret: action.secret,
        id: `rule-firing-${job.firingId}-${job.actionIndex}`,
        type: `rule.${c.eventType}`,
        data: {
          rule: { id: c.ruleId, name: c.ruleName },
          event: { type: c.eventType, key: c.eventKey },
          facts: c.facts,
        },
      });
      await ruleRepository.settleActionResult(this.db, job.firingId, job.actionIndex, {
        type: 'webhook',
        ok: true,
        detail: { status, attempts: attempt.number },
      });
      return true;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const detail = { url: action.url, attempts: attempt.number, ...(attempt.lastAttempt && { deadLettered: true }) };
      await ruleRepository.settleActionResult(this.db, job.firingId, job.actionIndex, {
        type: 'webhook',
        ok: false,
        ...(!attempt.lastAttempt && { pending: true }),
        detail,
        error,
      });
      return false;
    }
  }

  /** pg-boss failed a webhook job by itself (expired on its last attempt): its result is settled as failed. */
  async webhookDeadLettered(job: OutboundWebhookJob): Promise<void> {
    const c = await ruleRepository.webhookContext(this.db, job.firingId, job.actionIndex);
    if (!c?.result?.pending) return;
    await ruleRepository.settleActionResult(this.db, job.firingId, job.actionIndex, {
      type: 'webhook',
      ok: false,
      detail: { ...c.result.detail, deadLettered: true },
      error: 'retries exhausted',
    });
  }
}
