import { createPubSub, PubSub, PubSubEventTarget } from '@graphql-yoga/subscription';

/** What ops and the app can watch live. Every event is published under its client id. */
export interface WebhookProcessedEvent {
  id: string;
  clientId: string;
  flow: string;
  action: string;
  outcome: 'processed' | 'duplicate' | 'rejected' | 'failed' | 'queued' | 'dead';
  httpStatus: number;
  durationMs: number;
  at: Date;
}

export interface FlowStatusEvent {
  clientId: string;
  flow: string;
  status: 'ok' | 'degraded' | 'down';
  previous: 'ok' | 'degraded' | 'down' | null;
  at: Date;
}

export interface CircuitStateEvent {
  clientId: string;
  /** e.g. `sales` or `connector:erp-db` */
  name: string;
  state: 'closed' | 'open' | 'half_open' | 'isolated';
  previous: 'closed' | 'open' | 'half_open' | 'isolated' | null;
  at: Date;
}

/** A run's progress: after each committed chunk and each status change. Published under the run id. */
export interface EtlProgressEvent {
  runId: string;
  clientId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  stage: string | null;
  stream: string | null;
  extracted: number;
  loaded: number;
  skipped: number;
  rejected: number;
  at: Date;
}

export type HubTopics = {
  'webhook-processed': [clientId: string, payload: WebhookProcessedEvent];
  'flow-status': [clientId: string, payload: FlowStatusEvent];
  'circuit-state': [clientId: string, payload: CircuitStateEvent];
  'etl-progress': [runId: string, payload: EtlProgressEvent];
};

export type HubPubSub = PubSub<HubTopics>;

/**
 * The hub's event bus (graphql-yoga's pubsub). In-process by default; given an EventTarget backed by
 * Redis, every instance sees every event.
 */
export function createHubPubSub(opts: { eventTarget?: PubSubEventTarget<HubTopics> } = {}): HubPubSub {
  return createPubSub<HubTopics>(opts.eventTarget ? { eventTarget: opts.eventTarget } : undefined);
}
