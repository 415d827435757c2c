import { z } from 'zod';
import { Queryable } from '../db/database';
import type { HubPubSub } from '../subscriptions/hub-events';
import type { DomainEvent } from './event-types';
import type { OutboundWebhookJob } from './reaction-queue';
import type { RuleRow } from './rule.repository';
import { ruleRepository } from './rule.repository';

/** The actions a rule may run, as stored in `rules.actions` (validated on create and update). */
export const ruleActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('alert'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    message: z.string().trim().min(1).max(500),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'a Standard Webhooks secret: whsec_ followed by base64'),
  }),
  z.strictObject({ type: z.literal('tag_customer'), tag: z.string().trim().min(1).max(64) }),
  z.strictObject({ type: z.literal('task'), title: z.string().trim().min(1).max(200) }),
]);
export const ruleActionsSchema = z.array(ruleActionSchema).min(1).max(10);
export type RuleAction = z.output<typeof ruleActionSchema>;

export interface AlertEvent {
  id: string;
  clientId: string;
  ruleId: string;
  ruleName: string;
  eventType: string;
  eventKey: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  facts: Record<string, unknown>;
  at: Date;
}

export interface ActionContext {
  /** The firing's transaction. */
  q: Queryable;
  rule: RuleRow;
  event: DomainEvent;
  facts: Record<string, unknown>;
  firingId: string;
  /** The action's index in the rule's actions. */
  index: number;
  events: HubPubSub;
  /** Enqueues an outbound webhook in the firing's transaction (`rule-outbound-webhook`). */
  outbound: { enqueueWebhook(tx: Queryable, job: OutboundWebhookJob): Promise<void> };
  /** Run once the firing committed (publishing alerts). */
  afterCommit: Array<() => void>;
}

export interface ActionResult {
  type: RuleAction['type'];
  ok: boolean;
  /** Handed to the queue, not finished yet (an outbound webhook): the firing stays RUNNING. */
  pending?: boolean;
  detail?: Record<string, unknown>;
  error?: string;
}

/** `{{customer.segment}}` → the fact's value (missing facts render empty). */
export function renderTemplate(template: string, facts: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, path: string) => {
    const v = path
      .split('.')
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), facts);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

type Executor<A extends RuleAction> = (a: A, c: ActionContext) => Promise<Record<string, unknown>>;

const EXECUTORS: { [T in RuleAction['type']]: Executor<Extract<RuleAction, { type: T }>> } = {
  async alert(a, c) {
    const alert: AlertEvent = {
      id: c.firingId,
      clientId: c.event.clientId,
      ruleId: c.rule.id,
      ruleName: c.rule.name,
      eventType: c.event.type,
      eventKey: c.event.key,
      severity: a.severity,
      message: renderTemplate(a.message, c.facts),
      facts: c.facts,
      at: new Date(),
    };
    c.afterCommit.push(() => c.events.publish('alert', c.event.clientId, alert));
    return { message: alert.message };
  },

  /** Sent by a `rule-outbound-webhook` job (see RuleService.deliverWebhook), retried by the queue. */
  async webhook(a, c) {
    await c.outbound.enqueueWebhook(c.q, { clientId: c.event.clientId, firingId: c.firingId, actionIndex: c.index });
    return { url: a.url, attempts: 0 };
  },

  async tag_customer(a, c) {
    const customerId = c.event.customerId;
    if (!customerId) throw new Error('the event has no customer to tag');
    const added = await ruleRepository.tagCustomer(c.q, c.event.clientId, customerId, a.tag, c.rule.id);
    return { customerId, tag: a.tag, added };
  },

  async task(a, c) {
    const id = await ruleRepository.insertTask(
      c.q,
      c.event.clientId,
      c.rule.id,
      c.event.key,
      renderTemplate(a.title, c.facts),
      {
        eventType: c.event.type,
        facts: c.facts,
      },
    );
    return { taskId: id };
  },
};

/** Actions finished by a job of their own: their result stays pending until it settles. */
const QUEUED: ReadonlySet<RuleAction['type']> = new Set(['webhook']);

export async function runAction(a: RuleAction, c: ActionContext): Promise<ActionResult> {
  try {
    const detail = await (EXECUTORS[a.type] as Executor<RuleAction>)(a, c);
    return QUEUED.has(a.type) ? { type: a.type, ok: false, pending: true, detail } : { type: a.type, ok: true, detail };
  } catch (err) {
    return { type: a.type, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** What a dry run reports instead of acting (secrets never leave the server). */
export function describeAction(a: RuleAction, facts: Record<string, unknown>): Record<string, unknown> {
  switch (a.type) {
    case 'alert':
      return { type: a.type, severity: a.severity, message: renderTemplate(a.message, facts) };
    case 'webhook':
      return { type: a.type, url: a.url };
    case 'tag_customer':
      return { type: a.type, tag: a.tag };
    case 'task':
      return { type: a.type, title: renderTemplate(a.title, facts) };
  }
}
