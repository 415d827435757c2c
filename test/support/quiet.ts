import type { TestApp } from './test-app';

/**
 * Waits for the after-commit work of earlier deliveries (RFM re-scoring, rules) to finish, so a
 * query count taken next measures only the request at hand.
 */
export async function afterBackgroundWork(t: TestApp): Promise<void> {
  await t.services.reactionQueue.drain();
}
