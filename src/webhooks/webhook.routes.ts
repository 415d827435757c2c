import type { FastifyInstance } from 'fastify';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import type { Services } from '../services';
import { webhookEventRepository } from './webhook-event.repository';
import { WebhookPipeline } from './webhook.pipeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The REST shim: thin on purpose; everything happens in the pipeline. */
export async function webhookRoutes(app: FastifyInstance, opts: { pipeline: WebhookPipeline; bodyLimit: number; db: Database; services: Services }): Promise<void> {
  app.post<{ Params: { flow: string } }>('/api/v1/webhooks/:flow', { bodyLimit: opts.bodyLimit }, async (req, reply) => {
    const outcome = await opts.pipeline.handle({
      flowPath: req.params.flow,
      headers: req.headers,
      body: req.body,
      rawBody: req.rawBody ?? '',
      log: req.log,
    });
    return reply.code(outcome.status).headers(outcome.headers ?? {}).send(outcome.body);
  });

  /** An event's status (a 202's `eventId`), for the client that sent it only. */
  app.get<{ Params: { id: string } }>('/api/v1/webhooks/events/:id', async (req) => {
    const header = req.headers['x-api-key'];
    const key = await opts.services.apiKeys.authenticate(typeof header === 'string' ? header : undefined);
    const event = UUID.test(req.params.id) ? await webhookEventRepository.find(opts.db, key.clientId, req.params.id) : null;
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
