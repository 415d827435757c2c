import type { FastifyInstance, FastifySchema } from 'fastify';
import { Database } from '../db/database';
import type { OpsAccess } from '../security/ops-access';
import { HealthService } from './health.service';

/**
 * Probes for load balancers and Kubernetes (`/health/live`, `/health/ready`: open, and they say
 * nothing about clients), and a client's integration health (`/health/integrations/:client`:
 * ops, or a caller of that client — the rule of GraphQL `flowHealth`).
 */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { db: Database; health: HealthService; access: OpsAccess },
): Promise<void> {
  const probe = { tags: ['ops'], security: [] };
  app.get(
    '/health/live',
    { schema: { ...probe, summary: 'Liveness probe (no credentials; names no client)' } },
    async () => ({ status: 'ok' }),
  );

  const readiness = 'Readiness probe: the store answers in HEALTH_READY_TIMEOUT_MS (no credentials; names no client)';
  app.get('/health/ready', { schema: { ...probe, summary: readiness } }, async (_req, reply) => {
    const ready = await opts.health.ready();
    return reply.code(ready.store === 'up' ? 200 : 503).send(ready);
  });

  const integrations: FastifySchema = {
    tags: ['ops'],
    summary: "A client's integration health (503 when down)",
    description:
      'An ops JWT (any client), or an app JWT / x-api-key of that client. 401 GW_UNAUTHENTICATED, 403 GW_FORBIDDEN.',
    security: [{ bearerJwt: [] }, { apiKey: [] }],
  };
  app.get<{ Params: { client: string } }>(
    '/health/integrations/:client',
    { schema: integrations, preHandler: opts.access.clientHealth },
    async (req, reply) => {
      const health = await opts.health.integrations(req.params.client);
      return reply.code(health.status === 'down' ? 503 : 200).send(health);
    },
  );
}
