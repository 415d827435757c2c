import type { FastifyInstance } from 'fastify';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { outcomeOf } from '../security/audit.service';
import type { Services } from '../services';
import { webhookEventRepository } from './webhook-event.repository';
import { Delivery, WebhookPipeline } from './webhook.pipeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The REST shim: thin on purpose; everything happens in the pipeline. Each delivery is audited. */
export async function webhookRoutes(
  app: FastifyInstance,
  opts: { pipeline: WebhookPipeline; bodyLimit: number; db: Database; services: Services },
): Promise<void> {
  const { audit, webhookAuth } = opts.services;

  app.post<{ Params: { flow: string } }>(
    '/api/v1/webhooks/:flow',
    { bodyLimit: opts.bodyLimit },
    async (req, reply) => {
      const delivery: Delivery = {
        flowPath: req.params.flow,
        headers: req.headers,
        body: req.body,
        rawBody: req.rawBody ?? '',
        log: req.log,
        peer: req.socket.remoteAddress,
      };
      const outcome = await opts.pipeline.handle(delivery);
      const principal = delivery.auth?.principal;
      const action = (req.body as { action?: unknown } | null)?.action;
      const code = (outcome.body.error as { code?: string } | undefined)?.code;
      const recorded = audit.record(
        {
          clientId: principal?.clientId ?? null,
          actor: principal?.subject ?? 'anonymous',
          role: principal?.role ?? null,
          source: 'rest',
          action: `${req.params.flow.slice(0, 64)}/${typeof action === 'string' ? action.slice(0, 64) : '?'}`,
          target: typeof outcome.body.eventId === 'string' ? outcome.body.eventId : null,
          ip: delivery.auth?.ip ?? webhookAuth.ipOf(req.socket.remoteAddress, req.headers) ?? null,
          outcome: outcomeOf(outcome.status, code),
          details: outcome.headers?.['idempotent-replayed'] ? { replayed: true } : null,
        },
        req.log,
      );
      // The store just failed this delivery: its audit entry is written if it comes back, without the sender waiting.
      if (code !== 'GW_STORE_UNAVAILABLE' && code !== 'GW_OUTCOME_UNKNOWN') await recorded;
      return reply
        .code(outcome.status)
        .headers(outcome.headers ?? {})
        .send(outcome.body);
    },
  );

  /** An event's status (a 202's `eventId`), for the client that sent it only. */
  app.get<{ Params: { id: string } }>('/api/v1/webhooks/events/:id', async (req) => {
    const header = req.headers['x-api-key'];
    const key = await opts.services.apiKeys.authenticate(typeof header === 'string' ? header : undefined);
    const event = UUID.test(req.params.id)
      ? await webhookEventRepository.find(opts.db, key.clientId, req.params.id)
      : null;
    if (!event) throw new GatewayError('GW_NOT_FOUND', 'No such event');
    return {
      ok: true,
      event: {
        id: event.id,
        flow: event.flow,
        action: event.action,
        status: event.status,
        httpStatus: event.httpStatus,
        attempts: event.attempts,
        businessId: event.businessId,
        result: event.result,
        error: event.error,
        receivedAt: event.receivedAt.toISOString(),
        processedAt: event.processedAt?.toISOString() ?? null,
      },
    };
  });
}
