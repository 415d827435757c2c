import type { FastifyInstance } from 'fastify';
import { Database } from '../db/database';
import { HealthService } from './health.service';

export async function healthRoutes(app: FastifyInstance, opts: { db: Database; health: HealthService }): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }));

  app.get('/health/ready', async (_req, reply) => {
    const up = await opts.db.ping();
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'down', store: up ? 'up' : 'down' });
  });

  app.get<{ Params: { client: string } }>('/health/integrations/:client', async (req, reply) => {
    const health = await opts.health.integrations(req.params.client);
    return reply.code(health.status === 'down' ? 503 : 200).send(health);
  });
}
