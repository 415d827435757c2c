import type { TestApp } from './test-app';

/**
 * Waits until the after-commit work of earlier deliveries (RFM re-scoring, rules, outbound webhooks)
 * is done: no job of the reaction queues is waiting, running or due for a retry (read from pg-boss's
 * job table). A query count taken next then measures only the request at hand.
 */
export async function afterBackgroundWork(t: TestApp): Promise<void> {
  await t.services.reactionQueue.idle();
}
