import { createPubSub, PubSub, PubSubEventTarget, SlidingBuffer } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';
import type { AlertEvent } from '../rules/rule-actions';

/**
 * What ops and the app can watch live. Every event is published under its client id.
 * Payloads are plain JSON (times as ISO-8601 strings) so they arrive unchanged through Redis.
 */
export interface WebhookProcessedEvent {
  id: string;
  clientId: string;
  flow: string;
  action: string;
  outcome: 'processed' | 'duplicate' | 'rejected' | 'failed' | 'queued' | 'dead';
  httpStatus: number;
  durationMs: number;
  /** ISO-8601 */
  at: string;
}

export type FlowStatus = 'ok' | 'degraded' | 'down';

export interface FlowStatusEvent {
  clientId: string;
  flow: string;
  status: FlowStatus;
  previous: FlowStatus | null;
  /** ISO-8601 */
  at: string;
}

export type CircuitState = 'closed' | 'open' | 'half_open' | 'isolated';

export interface CircuitStateEvent {
  clientId: string;
  /** e.g. `sales` or `connector:erp-db` */
  name: string;
  state: CircuitState;
  previous: CircuitState | null;
  /** ISO-8601 */
  at: string;
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
  /** Published by rules (ECA engine) with an `alert` action. */
  alert: [clientId: string, payload: AlertEvent];
  'etl-progress': [runId: string, payload: EtlProgressEvent];
};

export type HubTopic = keyof HubTopics;
export type HubPubSub = PubSub<HubTopics>;
export type HubEventTarget = PubSubEventTarget<HubTopics>;

type LocalListener = <T extends HubTopic>(topic: T, clientId: string, payload: HubTopics[T][1]) => void;

/** Where events travel between instances (Redis); absent, they stay in this process. */
export interface HubTransport {
  eventTarget: HubEventTarget;
  close(): Promise<void>;
}

/** The hub's event bus: graphql-yoga's pubsub, plus what the gateway needs around it. */
export interface HubEventBus extends HubPubSub {
  /** Called for events published by this process only (not those arriving from other instances). */
  onLocalPublish(listener: LocalListener): () => void;
  /** Transport failures (e.g. Redis unreachable); reported at most once per `ERROR_REPORT_INTERVAL_MS`. */
  onError(listener: (err: Error) => void): () => void;
  /** Releases the transport (Redis connections). Idempotent. */
  close(): Promise<void>;
}

/**
 * Events a subscriber may fall behind by before the oldest are dropped. Live views want the
 * latest state; without a bound a stalled socket would grow memory (or make the pubsub throw).
 */
export const SUBSCRIBER_BUFFER = 1000;
const ERROR_REPORT_INTERVAL_MS = 30_000;

/**
 * The hub's event bus. In-process by default; with a transport (Redis), every instance sees every
 * event.
 */
export function createHubEventBus(
  opts: { transport?: (reportError: (err: Error) => void) => HubTransport } = {},
): HubEventBus {
  const localListeners = new Set<LocalListener>();
  const errorListeners = new Set<(err: Error) => void>();
  let lastReport = 0;
  const reportError = (err: Error) => {
    if (Date.now() - lastReport < ERROR_REPORT_INTERVAL_MS) return;
    lastReport = Date.now();
    for (const listener of errorListeners) listener(err);
  };
  const transport = opts.transport?.(reportError);
  const target = transport?.eventTarget ?? inProcessTarget();
  const publisher = createPubSub<HubTopics>({ eventTarget: target });
  let closed: Promise<void> | undefined;
  return {
    publish(topic, ...args) {
      publisher.publish(topic, ...args);
      for (const listener of localListeners) listener(topic, args[0], args[1]);
    },
    // One pubsub view per subscription so that each subscriber gets its own bounded buffer.
    subscribe: (...args) =>
      createPubSub<HubTopics>({ eventTarget: target, repeaterBuffer: new SlidingBuffer(SUBSCRIBER_BUFFER) }).subscribe(
        ...args,
      ),
    onLocalPublish(listener) {
      localListeners.add(listener);
      return () => localListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    close() {
      closed ??= transport?.close() ?? Promise.resolve();
      return closed;
    },
  };
}

function inProcessTarget(): HubEventTarget {
  const target = new EventTarget();
  setMaxListeners(0, target); // one listener per subscriber: thousands are expected, not a leak
  return target as unknown as HubEventTarget;
}
