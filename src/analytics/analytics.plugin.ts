import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';

/**
 * Starts the background analytics (breaker reactions, metrics aggregation) with the server; stops them
 * on close. The reaction queue's workers start and stop with the webhook queue's pg-boss.
 */
export async function analyticsRuntime(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  s.analyticsLog.current = app.log;
  app.addHook('onReady', async () => {
    s.reactions.start();
    s.metricsHistory.start((err) => app.log.warn({ err }, 'metrics aggregation failed'));
  });
  app.addHook('onClose', async () => {
    await s.reactions.stop();
    await s.metricsHistory.stop();
  });
}
