import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { rfmRepository } from '../analytics/rfm.repository';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { parseOrThrow } from '../shared/fields';
import type { HubPubSub } from '../subscriptions/hub-events';
import { DomainEvent, RuleEventType } from './event-types';
import { OutboundWebhookSender } from './outbound-webhook';
import { describeAction, RuleAction, ruleActionsSchema, runAction } from './rule-actions';
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
  constructor(
    private readonly db: Database,
    private readonly events: HubPubSub,
    readonly webhooks: OutboundWebhookSender,
  ) {}

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
    if (!row) throw new GatewayError('GW_BUSINESS_ID_CONFLICT', `A rule named "${rule.name}" already exists`, { details: { name: rule.name } });
    return row;
  }

  async update(clientId: string, id: string, draft: Partial<RuleDraft>): Promise<RuleRow> {
    const row = await ruleRepository.update(this.db, clientId, id, await this.validated(draft, true));
    if (!row) throw new GatewayError('GW_NOT_FOUND', `No rule ${id}`, { details: { rule_id: id } });
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
  async dryRun(clientId: string, rule: { id?: string; draft?: RuleDraft }, sample: { type?: RuleEventType; facts: Record<string, unknown>; customerId?: string | null }): Promise<DryRunResult> {
    const r = rule.id ? await this.find(this.db, clientId, rule.id) : ((await this.validated({ enabled: true, ...rule.draft }, false)) as NewRule);
    const event: DomainEvent = { type: (sample.type ?? r.eventType) as RuleEventType, clientId, key: 'dry-run', facts: sample.facts, customerId: sample.customerId };
    const facts = await this.factsOf(this.db, event);
    const matched = event.type === r.eventType && (await conditionsHold(r.conditions, facts));
    return { matched, facts, actions: matched ? (r.actions as RuleAction[]).map((a) => describeAction(a, facts)) : [] };
  }

  /**
   * Evaluates the client's enabled rules for this event. A matching rule fires at most once per event
   * (the firing row is claimed first), runs its actions in order, and records outcome and duration.
   */
  async evaluate(event: DomainEvent): Promise<void> {
    const rules = await ruleRepository.list(this.db, event.clientId, { eventType: event.type, enabled: true });
    if (rules.length === 0) return;
    const facts = await this.factsOf(this.db, event);
    for (const rule of rules) {
      const started = performance.now();
      if (!(await conditionsHold(rule.conditions, facts))) continue;
      const firingId = await ruleRepository.claimFiring(this.db, event.clientId, rule.id, event.type, event.key, facts);
      if (!firingId) continue;
      const results = [];
      for (const action of rule.actions as RuleAction[]) {
        results.push(await runAction(action, { q: this.db, rule, event, facts, firingId, events: this.events, webhooks: this.webhooks }));
      }
      await ruleRepository.finishFiring(this.db, firingId, results.every((r) => r.ok) ? 'succeeded' : 'failed', results, performance.now() - started);
    }
  }
}
