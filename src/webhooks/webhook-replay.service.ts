import { clientModule } from '../clients/registry';
import { Queryable } from '../db/database';
import { retrySettings } from '../queue/retry-settings';
import { WebhookQueue } from '../queue/webhook-queue';
import { ReplayFilter, webhookQueueRepository } from './webhook-queue.repository';

export interface ReplayResult {
  requeued: string[];
  /** Matched but left alone: a newer delivery with the same idempotency key was accepted since. */
  skipped: string[];
}

const MAX_REPLAY = 5_000;

/**
 * Puts dead or failed events back on the queue, in the caller's transaction with their jobs. Idempotent:
 * a replayed event is queued again, so a second replay no longer matches it.
 */
export async function replayWebhookEvents(
  tx: Queryable,
  queue: WebhookQueue,
  clientId: string,
  filter: ReplayFilter,
): Promise<ReplayResult> {
  const retry = retrySettings(clientModule(clientId)?.retry);
  const result: ReplayResult = { requeued: [], skipped: [] };
  for (const c of await webhookQueueRepository.replayCandidates(tx, clientId, filter, MAX_REPLAY)) {
    await tx.query('savepoint replay_one');
    try {
      const generation = await webhookQueueRepository.requeue(tx, c.id);
      if (generation !== null) {
        await queue.enqueue(
          tx,
          { eventId: c.id, clientId, flow: c.flow, generation },
          c.entityKey ?? `event:${c.id}`,
          retry,
        );
        result.requeued.push(c.id);
      } else {
        result.skipped.push(c.id);
      }
      await tx.query('release savepoint replay_one');
    } catch (err) {
      // Another event took its idempotency key between our check and our update.
      if ((err as { code?: string }).code !== '23505') throw err;
      await tx.query('rollback to savepoint replay_one');
      result.skipped.push(c.id);
    }
  }
  return result;
}
