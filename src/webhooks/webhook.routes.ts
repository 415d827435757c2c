import type { FastifyInstance } from 'fastify';
import { WebhookPipeline } from './webhook.pipeline';

/** The REST shim: thin on purpose; everything happens in the pipeline. */
export async function webhookRoutes(app: FastifyInstance, opts: { pipeline: WebhookPipeline; bodyLimit: number }): Promise<void> {
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
}
