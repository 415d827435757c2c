import type { FastifyBaseLogger } from 'fastify';
import { execute, GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { clientModule } from '../clients/registry';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/to-gateway-error';
import { createContext, Principal } from '../schema/context';
import type { Services } from '../services';
import { parseOrThrow } from '../shared/fields';
import { contentHash } from '../shared/hash';
import { ActionDefinition, FlowDefinition } from './flow-definition';
import { flowByPath } from './flows';
import { idempotencyKeyOf, recordedHeaders } from './idempotency';
import { WebhookProcessedEvent } from '../subscriptions/hub-events';
import { NewWebhookEvent, webhookEventRepository } from './webhook-event.repository';

export interface Delivery {
  flowPath: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  log: FastifyBaseLogger;
}

export interface Outcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const envelopeSchema = z.strictObject({
  action: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()),
});

/** The delivery as far as it was understood: enough to record it in the audit trail. */
interface Understood {
  event: NewWebhookEvent;
  log: FastifyBaseLogger;
  principal: Principal;
  flow: FlowDefinition;
}

/**
 * One pipeline for every flow: authenticate → validate → transform → execute the GraphQL
 * operation in-process → persist the effect and the event in one transaction → respond.
 */
export class WebhookPipeline {
  constructor(private readonly deps: { db: Database; schema: GraphQLSchema; services: Services }) {}

  async handle(d: Delivery): Promise<Outcome> {
    const started = performance.now();
    let understood: Understood | undefined;
    try {
      const flow = flowByPath(d.flowPath);
      if (!flow) throw new GatewayError('GW_UNKNOWN_FLOW', `No flow at /api/v1/webhooks/${d.flowPath.slice(0, 64)}`);
      const principal = await this.authenticate(d, flow);
      const envelope = parseOrThrow(envelopeSchema, d.body);
      understood = { principal, flow, log: d.log, event: this.eventOf(d, principal, flow, envelope.action) };
      d.log.info({ msg: 'webhook.received', client: principal.clientId, flow: flow.key, action: envelope.action, payload_size: d.rawBody.length, eventId: understood.event.id });

      const action = flow.actions[envelope.action];
      if (!action) {
        throw new GatewayError('GW_UNKNOWN_ACTION', `Unknown action "${envelope.action}" for ${flow.path}`, { details: { allowed: Object.keys(flow.actions) } });
      }
      const data = parseOrThrow(action.schema, envelope.data, ['data']);
      understood.event.businessId = action.businessId(data);
      understood.event.idempotencyKey = idempotencyKeyOf(d.headers, envelope.action, understood.event.businessId, understood.event.id);
      const outcome = await this.run(understood, action, data, started);
      this.published(understood, outcome.headers ? 'duplicate' : 'processed', outcome.status, started);
      d.log.info({ msg: 'webhook.processed', client: principal.clientId, flow: flow.key, action: envelope.action, eventId: outcome.body.eventId, status: outcome.status, replay: !!outcome.headers, duration_ms: elapsed(started) });
      return outcome;
    } catch (err) {
      return this.refuse(d, understood, err, started);
    }
  }

  private async authenticate(d: Delivery, flow: FlowDefinition): Promise<Principal> {
    const header = d.headers['x-api-key'];
    const key = await this.deps.services.apiKeys.authenticate(typeof header === 'string' ? header : undefined, flow.key);
    const client = clientModule(key.clientId);
    if (!client || !client.flows.includes(flow.key as never)) {
      throw new GatewayError('GW_UNKNOWN_FLOW', `The ${flow.path} flow is not enabled for this client`);
    }
    return { clientId: key.clientId, role: 'webhook', subject: `api-key:${key.name}` };
  }

  private eventOf(d: Delivery, principal: Principal, flow: FlowDefinition, action: string): Understood['event'] {
    return {
      id: randomUUID(),
      clientId: principal.clientId,
      flow: flow.key,
      action,
      idempotencyKey: '',
      businessId: null,
      payloadHash: contentHash(d.body),
      payload: d.body,
      rawBody: d.rawBody,
      headers: recordedHeaders(d.headers),
      receivedAt: new Date(),
    };
  }

  private async run(u: Understood, action: ActionDefinition, data: unknown, started: number): Promise<Outcome> {
    const { db } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      const done = await db.transaction(async (tx) => {
        const claimed = action.readOnly ? await this.recordReadOnly(tx, u) : await webhookEventRepository.claim(tx, u.event);
        if (!claimed) return null;
        const result = await this.execute(u, action, data, tx);
        await webhookEventRepository.markProcessed(tx, u.event.id, action.acceptedStatus ?? 200, result, elapsed(started));
        return result;
      });
      if (done !== null) return { status: action.acceptedStatus ?? 200, body: { ok: true, action: u.event.action, eventId: u.event.id, result: done } };
      const replay = await this.replayOf(u, started);
      if (replay) return replay;
      // The key's holder rolled back between our claim and our read: claim again.
    }
    throw new Error('idempotency claim did not settle');
  }

  private async recordReadOnly(tx: Queryable, u: Understood): Promise<string | null> {
    return webhookEventRepository.claim(tx, { ...u.event, idempotencyKey: `read:${u.event.id}` });
  }

  private async execute(u: Understood, action: ActionDefinition, data: unknown, tx: Queryable): Promise<unknown> {
    const { schema, services, db } = this.deps;
    const result = await execute({
      schema,
      document: action.document,
      variableValues: action.toVariables(data),
      contextValue: createContext({ principal: u.principal, services, db, log: u.log, transaction: tx }),
    });
    if (result.errors?.length) throw result.errors[0];
    return (result.data as Record<string, unknown>)[action.rootField];
  }

  /** A redelivery answers with the first response and writes nothing but its audit row. */
  private async replayOf(u: Understood, started: number): Promise<Outcome | null> {
    const { db } = this.deps;
    const first = await webhookEventRepository.findAcceptedByKey(db, u.event.clientId, u.event.idempotencyKey);
    if (!first) return null;
    if (first.payloadHash !== u.event.payloadHash) {
      throw new GatewayError('GW_IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for a different payload', {
        details: { idempotency_key: u.event.idempotencyKey.replace(/^\w+:/, ''), first_event_id: first.id },
      });
    }
    const status = first.httpStatus ?? 202;
    await webhookEventRepository.insertWithoutEffect(db, {
      ...u.event,
      status: 'duplicate',
      httpStatus: status,
      error: null,
      result: { replay_of: first.id },
      durationMs: elapsed(started),
    });
    return {
      status,
      body: { ok: true, action: first.action, eventId: first.id, result: first.result },
      headers: { 'idempotent-replayed': 'true' },
    };
  }

  private async refuse(d: Delivery, u: Understood | undefined, err: unknown, started: number): Promise<Outcome> {
    const { error, unexpected } = toGatewayError(err);
    if (unexpected) d.log.error({ err, eventId: u?.event.id }, 'webhook.failed');
    else d.log.info({ msg: 'webhook.rejected', eventId: u?.event.id, code: error.code, status: error.httpStatus, duration_ms: elapsed(started) });
    if (u) {
      this.published(u, error.httpStatus >= 500 ? 'failed' : 'rejected', error.httpStatus, started);
      await webhookEventRepository
        .insertWithoutEffect(this.deps.db, {
          ...u.event,
          idempotencyKey: u.event.idempotencyKey || `unkeyed:${u.event.id}`,
          status: error.httpStatus >= 500 ? 'failed' : 'rejected',
          httpStatus: error.httpStatus,
          error: error.toBody().error,
          result: null,
          durationMs: elapsed(started),
        })
        .catch((e) => d.log.warn({ err: e, eventId: u.event.id }, 'could not record the refused delivery'));
    }
    return { status: error.httpStatus, body: { ...error.toBody(), ...(u && { eventId: u.event.id }) } };
  }

  private published(u: Understood, outcome: WebhookProcessedEvent['outcome'], httpStatus: number, started: number): void {
    const e = u.event;
    this.deps.services.events.publish('webhook-processed', e.clientId, {
      id: e.id, clientId: e.clientId, flow: e.flow, action: e.action, outcome, httpStatus, durationMs: elapsed(started), at: new Date(),
    });
  }
}

function elapsed(started: number): number {
  return performance.now() - started;
}
