import type { FastifyBaseLogger } from 'fastify';
import { execute, GraphQLSchema } from 'graphql';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TaskCancelledError } from 'cockatiel';
import { z } from 'zod';
import { ClientFlow, toCanonicalPayload } from '../clients/client-flow';
import { clientModule } from '../clients/registry';
import { Database, Queryable } from '../db/database';
import { GroupCommit } from '../db/group-commit';
import { GatewayError } from '../errors/gateway-error';
import { isStoreUnavailable, OUTCOME_UNKNOWN_MESSAGE, toGatewayError } from '../errors/to-gateway-error';
import { WebhookJob, QueuedOutcome } from '../queue/webhook-queue';
import { retrySettings } from '../queue/retry-settings';
import { isRejection } from '../resilience/policy-registry';
import { saleAffectingRfm } from '../rules/domain-events';
import { createContext, Principal } from '../schema/context';
import type { Services } from '../services';
import { DEFAULT_FACT_TIME_BOUNDS, FactTimeBounds, parseOrThrow, withFactTimeBounds } from '../shared/fields';
import { contentHash } from '../shared/hash';
import { own } from '../shared/own';
import type { Authenticated } from '../security/webhook-authenticator';
import { WebhookProcessedEvent } from '../subscriptions/hub-events';
import { ActionDefinition, FlowDefinition } from './flow-definition';
import { FLOWS, flowByPath, FlowKey } from './flows';
import { idempotencyKeyOf, recordedHeaders } from './idempotency';
import { NewWebhookEvent, QueuedWebhookEvent, webhookEventRepository } from './webhook-event.repository';
import { webhookQueueRepository } from './webhook-queue.repository';

export interface Delivery {
  flowPath: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  log: FastifyBaseLogger;
  /** The socket peer's address (the client's is derived from it and trusted proxies). */
  peer?: string;
  /** Filled by the authenticate step: who delivered and from where (for the audit trail). */
  auth?: Authenticated;
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
  /** The group-commit lane of the delivery (ActionDefinition.lane), if its action has one. */
  lane?: string | null;
}

/** Why a delivery goes to the queue instead of being applied while the sender waits. */
type AsyncReason = 'requested' | 'circuit_open' | 'under_pressure' | 'entity_pending';

/** Refusals a queued event waits out (retried with backoff) instead of being refused for good. */
const RETRYABLE_CODES = new Set(['GW_PREDECESSOR_MISSING', 'GW_PREDECESSOR_QUEUED']);
const RETRY_AFTER_SECONDS = '5';

class Queued {
  constructor(readonly reason: AsyncReason) {}
}

/**
 * One pipeline for every flow: authenticate → validate → transform → `apply` (execute the GraphQL
 * operation in-process and record the event, in one transaction). Synchronously while the sender
 * waits, or through the durable queue (`Prefer: respond-async`, an open breaker, load): the same
 * `apply` runs in a worker and the delivery is answered 202 once stored and enqueued.
 */
export class WebhookPipeline {
  private readonly groupCommit: GroupCommit;
  private readonly compiledActions = new WeakMap<ActionDefinition, CompiledQuery>();

  constructor(
    private readonly deps: {
      db: Database;
      schema: GraphQLSchema;
      services: Services;
      log: FastifyBaseLogger;
      underPressure?: () => boolean;
      /** GROUP_COMMIT_MAX (default 1: every delivery in its own transaction). */
      groupCommitMax?: number;
      /** GRAPHQL_JIT: actions run as operations compiled by graphql-jit. */
      jit?: boolean;
      /** FACT_MIN_DATE and FACT_MAX_FUTURE_SKEW_SECONDS, applied to the contracts' date-times. */
      factTime?: FactTimeBounds;
    },
  ) {
    this.groupCommit = new GroupCommit(deps.db, deps.groupCommitMax ?? 1);
  }

  async handle(d: Delivery): Promise<Outcome> {
    const started = performance.now();
    let understood: Understood | undefined;
    try {
      const flow = flowByPath(d.flowPath);
      if (!flow) throw new GatewayError('GW_UNKNOWN_FLOW', `No flow at /api/v1/webhooks/${d.flowPath.slice(0, 64)}`);
      const principal = await this.authenticate(d, flow);
      const envelope = parseOrThrow(envelopeSchema, d.body);
      understood = { principal, flow, log: d.log, event: this.eventOf(d, principal, flow, envelope.action) };
      d.log.info({
        msg: 'webhook.received',
        client: principal.clientId,
        flow: flow.key,
        action: envelope.action,
        payload_size: d.rawBody.length,
        eventId: understood.event.id,
      });

      const action = own(flow.actions, envelope.action);
      if (!action) {
        throw new GatewayError('GW_UNKNOWN_ACTION', `Unknown action "${envelope.action}" for ${flow.path}`, {
          details: { allowed: Object.keys(flow.actions) },
        });
      }
      const data = this.canonicalData(principal.clientId, flow, action, envelope.action, envelope.data);
      const event = understood.event;
      event.businessId = action.businessId(data);
      event.idempotencyKey = idempotencyKeyOf(d.headers, envelope.action, event.businessId, event.id);
      event.entityKey = action.entity?.(data) ?? (event.businessId ? `${flow.key}:${event.businessId}` : null);
      understood.lane = laneOf(principal.clientId, action, data);

      const asyncReason = action.readOnly ? null : this.asyncReason(d, understood);
      const outcome = asyncReason
        ? await this.enqueue(understood, asyncReason, started)
        : await this.runSync(understood, action, data, started);
      const kind = outcome.headers?.['idempotent-replayed']
        ? 'duplicate'
        : outcome.status === 202
          ? 'queued'
          : 'processed';
      this.observe(understood.event, kind, outcome.status, started);
      d.log.info({
        msg: `webhook.${kind}`,
        client: principal.clientId,
        flow: flow.key,
        action: envelope.action,
        eventId: outcome.body.eventId,
        status: outcome.status,
        duration_ms: elapsed(started),
      });
      return outcome;
    } catch (err) {
      return this.refuse(d, understood, err, started);
    }
  }

  /** Worker entry: applies one queued event with the same `apply` step the synchronous path uses. */
  async processQueued(job: WebhookJob, lastAttempt: boolean): Promise<QueuedOutcome> {
    const started = performance.now();
    const { services } = this.deps;
    let row: QueuedWebhookEvent | null = null;
    try {
      const applied = await services.policies.forFlow(job.clientId, job.flow).execute(() =>
        this.groupCommit.run(job.lane ?? null, async (tx) => {
          row = await webhookQueueRepository.lockQueued(tx, job.eventId, job.generation ?? 0);
          if (!row) return false;
          if (await webhookQueueRepository.hasPendingPredecessor(tx, row)) {
            throw new GatewayError('GW_PREDECESSOR_QUEUED', 'An earlier event of the same entity is still queued');
          }
          const { u, action, data } = this.understandStored(row);
          await this.apply(tx, u, action, data, started);
          return true;
        }),
      );
      if (!applied || !row) return 'skipped';
      this.observe(row, 'processed', 200, started);
      return 'processed';
    } catch (err) {
      return this.queuedFailure(job, row, err, lastAttempt, started);
    }
  }

  /** pg-boss gave up on a job by itself (expired on its last attempt): its event is dead too. */
  async deadLettered(job: WebhookJob): Promise<void> {
    const error = new GatewayError('GW_INTERNAL', 'Retries exhausted');
    const settled = await webhookQueueRepository.settle(
      this.deps.db,
      job.eventId,
      job.generation ?? 0,
      'dead',
      500,
      error.code,
      error.toBody().error,
      0,
    );
    if (settled) this.deps.services.metrics.observeWebhook(job.clientId, job.flow, 'unknown', 'dead', 0);
  }

  /** API key and/or Standard Webhooks signature, IP allowlist; refusals are quarantined (src/security). */
  private async authenticate(d: Delivery, flow: FlowDefinition): Promise<Principal> {
    d.auth = await this.deps.services.webhookAuth.authenticate({
      flow,
      headers: d.headers,
      rawBody: d.rawBody,
      peer: d.peer,
    });
    return d.auth.principal;
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

  private asyncReason(d: Delivery, u: Understood): AsyncReason | null {
    const prefer = d.headers.prefer;
    if ((Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '')).toLowerCase().includes('respond-async'))
      return 'requested';
    if (this.deps.services.policies.forFlow(u.event.clientId, u.flow.key).isOpen) return 'circuit_open';
    if (this.deps.underPressure?.()) return 'under_pressure';
    return null;
  }

  /** Applies while the sender waits; the store calls go through the flow's policy (breaker, retry, timeout). */
  private async runSync(u: Understood, action: ActionDefinition, data: unknown, started: number): Promise<Outcome> {
    const { services } = this.deps;
    const policy = services.policies.forFlow(u.event.clientId, u.flow.key);
    const lane = u.lane ?? null;
    for (let attempt = 0; attempt < 3; attempt++) {
      let done: unknown;
      try {
        done = await policy.execute(() =>
          this.groupCommit.run(lane, async (tx) => {
            if (action.readOnly) {
              await webhookEventRepository.claim(tx, { ...u.event, idempotencyKey: `read:${u.event.id}` });
              return this.apply(tx, u, action, data, started);
            }
            const claim = await webhookQueueRepository.claimInLine(tx, u.event);
            if (!claim) return null;
            // Older events of this entity are still queued: this one joins the line behind them.
            if (claim.behindQueued) {
              await webhookQueueRepository.markQueued(tx, u.event.id);
              await this.enqueueOn(tx, u);
              return new Queued('entity_pending');
            }
            return this.apply(tx, u, action, data, started);
          }),
        );
      } catch (err) {
        // Breaker open or bulkhead full: nothing ran. Store it for the workers if the store takes it.
        if (isRejection(err)) {
          if (!action.readOnly) return this.enqueue(u, 'circuit_open', started);
          throw new GatewayError('GW_CIRCUIT_OPEN', 'The flow is failing; retry later');
        }
        // The policy stopped waiting, not the work: it may still commit.
        if (err instanceof TaskCancelledError) throw new GatewayError('GW_OUTCOME_UNKNOWN', OUTCOME_UNKNOWN_MESSAGE);
        throw err;
      }
      if (done instanceof Queued) return this.accepted(u, done.reason);
      if (done !== null)
        return {
          status: action.acceptedStatus ?? 200,
          body: { ok: true, action: u.event.action, eventId: u.event.id, result: done },
        };
      const replay = await this.replayOf(u, started);
      if (replay) return replay;
      // The key's holder rolled back between our claim and our read: claim again.
    }
    throw new Error('idempotency claim did not settle');
  }

  /**
   * The step both paths share: executes the action's operation in the given transaction and
   * records the event as processed in it, so the effect and its audit row commit together — and so
   * does its after-commit reaction (RFM, rules), enqueued on the same transaction.
   */
  private async apply(
    tx: Queryable,
    u: Understood,
    action: ActionDefinition,
    data: unknown,
    started: number,
  ): Promise<unknown> {
    const result = await this.execute(u, action, data, tx);
    await webhookEventRepository.markProcessed(tx, u.event.id, action.acceptedStatus ?? 200, result, elapsed(started));
    if (!action.readOnly) {
      const e = u.event;
      await this.deps.services.reactionQueue.enqueueOn(tx, {
        kind: 'webhook',
        clientId: e.clientId,
        webhookEventId: e.id,
        action: e.action,
        saleId: saleAffectingRfm(e.action, data),
      });
    }
    return result;
  }

  /**
   * Stores the event as queued and enqueues it in one transaction (the same idempotency claim and
   * group commit as the sync path).
   */
  private async enqueue(u: Understood, reason: AsyncReason, started: number): Promise<Outcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // Under load, deliveries of one lane are stored and enqueued together (one COMMIT for several).
      const claimed = await this.groupCommit.run(u.lane ?? null, async (tx) => {
        if (!(await webhookEventRepository.claim(tx, u.event, 'queued'))) return false;
        await this.enqueueOn(tx, u);
        return true;
      });
      if (claimed) return this.accepted(u, reason);
      const replay = await this.replayOf(u, started);
      if (replay) return replay;
    }
    throw new Error('idempotency claim did not settle');
  }

  private async enqueueOn(tx: Queryable, u: Understood): Promise<void> {
    const e = u.event;
    const retry = retrySettings(clientModule(e.clientId)?.retry);
    const job = { eventId: e.id, clientId: e.clientId, flow: e.flow, generation: 0, ...(u.lane && { lane: u.lane }) };
    await this.deps.services.queue.enqueue(tx, job, e.entityKey ?? `event:${e.id}`, retry);
  }

  private accepted(u: Understood, reason: AsyncReason): Outcome {
    u.log.info({ msg: 'webhook.enqueued', eventId: u.event.id, reason });
    return { status: 202, body: { ok: true, action: u.event.action, eventId: u.event.id, status: 'queued' } };
  }

  private async execute(u: Understood, action: ActionDefinition, data: unknown, tx: Queryable): Promise<unknown> {
    const { schema, services, db } = this.deps;
    const contextValue = createContext({ principal: u.principal, services, db, log: u.log, transaction: tx });
    const variableValues = action.toVariables(data);
    const compiled = this.compiled(action);
    const result = compiled
      ? await compiled.query(undefined, contextValue, variableValues)
      : await execute({ schema, document: action.document, variableValues, contextValue });
    if (result.errors?.length) throw result.errors[0];
    return (result.data as Record<string, unknown>)[action.rootField];
  }

  /**
   * The action's operation compiled by graphql-jit (once per action; GRAPHQL_JIT=false keeps
   * graphql-js's `execute`): its variable coercion, most of a delivery's GraphQL time, is compiled too.
   */
  private compiled(action: ActionDefinition): CompiledQuery | null {
    if (!this.deps.jit) return null;
    let entry = this.compiledActions.get(action);
    if (!entry) {
      const c = compileQuery(this.deps.schema, action.document);
      if (!isCompiledQuery(c))
        throw new Error(`the operation of an action does not compile: ${c.errors?.[0]?.message}`);
      entry = c;
      this.compiledActions.set(action, entry);
    }
    return entry;
  }

  /** A stored event, understood again as at its delivery (it was validated then; its contract is re-applied). */
  private understandStored(row: QueuedWebhookEvent): { u: Understood; action: ActionDefinition; data: unknown } {
    const flow = own<FlowDefinition>(FLOWS, row.flow);
    const action = flow && own(flow.actions, row.action);
    if (!flow || !action)
      throw new GatewayError('GW_UNKNOWN_ACTION', `Unknown action "${row.action}" for flow ${row.flow}`);
    const envelope = parseOrThrow(envelopeSchema, row.payload);
    const data = this.canonicalData(row.clientId, flow, action, row.action, envelope.data);
    const event: NewWebhookEvent = { ...row, headers: row.headers };
    const principal: Principal = { clientId: row.clientId, role: 'webhook', subject: 'queue' };
    return { u: { event, flow, principal, log: this.deps.log.child({ eventId: row.id }) }, action, data };
  }

  private async queuedFailure(
    job: WebhookJob,
    row: QueuedWebhookEvent | null,
    err: unknown,
    lastAttempt: boolean,
    started: number,
  ): Promise<QueuedOutcome> {
    const { db, log } = this.deps;
    const error = isRejection(err)
      ? new GatewayError('GW_CIRCUIT_OPEN', 'The flow is failing; the event stays queued')
      : toGatewayError(err).error;
    const retryable = error.httpStatus >= 500 || RETRYABLE_CODES.has(error.code);
    const body = error.toBody().error;
    const info = { client: job.clientId, flow: job.flow, eventId: job.eventId, code: error.code, lastAttempt };
    const action = (row as QueuedWebhookEvent | null)?.action ?? 'unknown';
    try {
      if (retryable && !lastAttempt) {
        await webhookQueueRepository.recordAttempt(db, job.eventId, job.generation ?? 0, error.code, body);
        log.info({ msg: error.code === 'GW_PREDECESSOR_MISSING' ? 'webhook.parked' : 'webhook.retry', ...info });
        return 'retry';
      }
      const status = retryable ? 'dead' : 'rejected';
      if (
        await webhookQueueRepository.settle(
          db,
          job.eventId,
          job.generation ?? 0,
          status,
          error.httpStatus,
          error.code,
          body,
          elapsed(started),
        )
      ) {
        log.warn({ msg: `webhook.${status}`, ...info });
        this.observe(
          { id: job.eventId, clientId: job.clientId, flow: job.flow, action },
          status,
          error.httpStatus,
          started,
        );
      }
      return status;
    } catch (recordErr) {
      log.warn({ err: recordErr, ...info }, 'webhook.queue.record_failed');
      return 'retry';
    }
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
      body: {
        ok: true,
        action: first.action,
        eventId: first.id,
        ...(first.status === 'queued' ? { status: 'queued' } : { result: first.result }),
      },
      headers: { 'idempotent-replayed': 'true' },
    };
  }

  private async refuse(d: Delivery, u: Understood | undefined, err: unknown, started: number): Promise<Outcome> {
    const { error, unexpected } = toGatewayError(err);
    if (unexpected) d.log.error({ err, eventId: u?.event.id }, 'webhook.failed');
    else
      d.log.info({
        msg: 'webhook.rejected',
        eventId: u?.event.id,
        code: error.code,
        status: error.httpStatus,
        duration_ms: elapsed(started),
      });
    if (isStoreUnavailable(err)) this.countOutage(d, u, err);
    // The store just failed this delivery: recording its refusal there would only wait for it again.
    const storeFailed = error.code === 'GW_STORE_UNAVAILABLE' || error.code === 'GW_OUTCOME_UNKNOWN';
    if (u) this.observe(u.event, error.httpStatus >= 500 ? 'failed' : 'rejected', error.httpStatus, started);
    if (u && !storeFailed) {
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
    return {
      status: error.httpStatus,
      body: { ...error.toBody(), ...(u && { eventId: u.event.id }) },
      ...(error.httpStatus === 503 && { headers: { 'retry-after': RETRY_AFTER_SECONDS } }),
    };
  }

  /** The action's canonical data: the client's own payload mapping (if any), then the flow's strict contract. */
  private canonicalData(
    clientId: string,
    flow: FlowDefinition,
    action: ActionDefinition,
    actionName: string,
    raw: unknown,
  ): unknown {
    const mapping = clientModule(clientId)?.mappings?.[flow.key as FlowKey] as ClientFlow | undefined;
    return withFactTimeBounds(this.deps.factTime ?? DEFAULT_FACT_TIME_BOUNDS, () =>
      parseOrThrow(action.schema, toCanonicalPayload(mapping, actionName, raw), ['data']),
    );
  }

  /**
   * A store outage met by any step (authentication included) counts on the flow's breaker, once: the
   * client is the delivery's, else the one its credentials named when this instance last verified them.
   */
  private countOutage(d: Delivery, u: Understood | undefined, err: unknown): void {
    const flow = u?.flow.key ?? flowByPath(d.flowPath)?.key;
    const { webhookAuth, policies } = this.deps.services;
    const client = u?.event.clientId ?? d.auth?.principal.clientId ?? webhookAuth.lastClientOf(d.headers);
    if (flow && client) policies.forFlow(client, flow).recordOutage(err);
  }

  /** Every outcome, sync or queued: on the hub's bus (subscriptions) and in the metrics. */
  private observe(
    e: { id: string; clientId: string; flow: string; action: string },
    outcome: WebhookProcessedEvent['outcome'],
    httpStatus: number,
    started: number,
  ): void {
    const durationMs = elapsed(started);
    this.deps.services.metrics.observeWebhook(e.clientId, e.flow, e.action, outcome, durationMs / 1000);
    this.deps.services.events.publish('webhook-processed', e.clientId, {
      id: e.id,
      clientId: e.clientId,
      flow: e.flow,
      action: e.action,
      outcome,
      httpStatus,
      durationMs,
      at: new Date().toISOString(),
    });
  }
}

function laneOf(clientId: string, action: ActionDefinition, data: unknown): string | null {
  return action.lane && !action.readOnly ? `${clientId}:${action.lane(data)}` : null;
}

function elapsed(started: number): number {
  return performance.now() - started;
}
