import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import type { OpsAccess } from '../security/ops-access';
import { GatewayMetrics } from './gateway-metrics';

/** `GET /metrics` (Prometheus text format; ops JWT or the scrape token) and the HTTP latency of every route. */
export const metricsRoutes = fp(async (app: FastifyInstance, opts: { metrics: GatewayMetrics; access: OpsAccess }) => {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    opts.metrics.httpDuration.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const schema: FastifySchema = {
    tags: ['ops'],
    summary: 'Prometheus metrics (text exposition format)',
    description: 'An ops JWT or the scrape token (METRICS_TOKEN). 401 GW_UNAUTHENTICATED, 403 GW_FORBIDDEN.',
    security: [{ bearerJwt: [] }, { metricsToken: [] }],
  };
  app.get('/metrics', { schema, preHandler: opts.access.metrics }, async (_req, reply) =>
    reply.type(opts.metrics.registry.contentType).send(await opts.metrics.render()),
  );
});
