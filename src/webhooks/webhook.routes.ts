import type { FastifyInstance } from 'fastify';
import { AuditService, outcomeOf } from '../security/audit.service';
import type { WebhookAuthenticator } from '../security/webhook-authenticator';
import { Delivery, WebhookPipeline } from './webhook.pipeline';

/** The REST shim: thin on purpose; everything happens in the pipeline. Each delivery is audited. */
export async function webhookRoutes(
  app: FastifyInstance,
  opts: { pipeline: WebhookPipeline; bodyLimit: number; audit: AuditService; webhookAuth: WebhookAuthenticator },
): Promise<void> {
  app.post<{ Params: { flow: string } }>('/api/v1/webhooks/:flow', { bodyLimit: opts.bodyLimit }, async (req, reply) => {
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
    await opts.audit.record(
      {
        clientId: principal?.clientId ?? null,
        actor: principal?.subject ?? 'anonymous',
        role: principal?.role ?? null,
        source: 'rest',
        action: `${req.params.flow.slice(0, 64)}/${typeof action === 'string' ? action.slice(0, 64) : '?'}`,
        target: typeof outcome.body.eventId === 'string' ? outcome.body.eventId : null,
        ip: delivery.auth?.ip ?? opts.webhookAuth.ipOf(req.socket.remoteAddress, req.headers) ?? null,
        outcome: outcomeOf(outcome.status, (outcome.body.error as { code?: string } | undefined)?.code),
        details: outcome.headers?.['idempotent-replayed'] ? { replayed: true } : null,
      },
      req.log,
    );
    return reply.code(outcome.status).headers(outcome.headers ?? {}).send(outcome.body);
  });
}
