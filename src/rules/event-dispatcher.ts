import type { EvaluateEventJob } from './evaluate-event.job';

/**
 * Where reactions to events outside a transaction go (a breaker's state change): the durable
 * `evaluate-event` queue (`ReactionQueue`). Processed deliveries are enqueued in their own
 * transaction instead (`ReactionQueue.enqueueOn`).
 */
export interface EventDispatcher {
  dispatch(job: EvaluateEventJob): Promise<void>;
}
