import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Database } from '../db/database';
import type { BreakerTransition, PolicyRegistry } from '../resilience/policy-registry';
import { securityRegistry } from '../security/security-metrics';
import { metricsRepository } from './metrics.repository';

const CIRCUIT_STATE_VALUE = { closed: 0, open: 1, half_open: 2, isolated: 3 } as const;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The gateway's Prometheus metrics, on a registry of its own (several apps can share a process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly webhookDuration = new Histogram({
    name: 'axon_webhook_duration_seconds',
    help: 'Time from receiving a delivery (or picking a queued event) to its outcome',
    labelNames: ['client', 'flow', 'action', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly webhooks = new Counter({
    name: 'axon_webhook_events_total',
    help: 'Webhook outcomes: processed, queued, duplicate, rejected, failed, dead',
    labelNames: ['client', 'flow', 'action', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'axon_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'axon_queue_depth',
    help: 'Queued webhook events waiting to be applied',
    labelNames: ['client', 'flow'] as const,
    registers: [this.registry],
  });
  readonly queueOldestAge = new Gauge({
    name: 'axon_queue_oldest_pending_age_seconds',
    help: 'Age of the oldest queued webhook event',
    labelNames: ['client', 'flow'] as const,
    registers: [this.registry],
  });
  readonly deadLetters = new Gauge({
    name: 'axon_dead_letters',
    help: 'Webhook events whose retries ran out',
    labelNames: ['client', 'flow'] as const,
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'axon_circuit_state',
    help: 'Breaker state: 0 closed, 1 open, 2 half-open, 3 isolated',
    labelNames: ['client', 'scope', 'name'] as const,
    registers: [this.registry],
  });
  readonly circuitTransitions = new Counter({
    name: 'axon_circuit_transitions_total',
    help: 'Breaker state changes',
    labelNames: ['client', 'scope', 'name', 'state'] as const,
    registers: [this.registry],
  });
  readonly storeUp = new Gauge({
    name: 'axon_store_up',
    help: '1 when the store answered the last scrape',
    registers: [this.registry],
  });

  constructor(
    private readonly db: Database,
    private readonly policies: PolicyRegistry,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'axon_' });
    policies.onTransition((t) => this.transitioned(t));
  }

  observeWebhook(client: string, flow: string, action: string, outcome: string, seconds: number): void {
    this.webhooks.inc({ client, flow, action, outcome });
    this.webhookDuration.observe({ client, flow, action, outcome }, seconds);
  }

  /**
   * The exposition (this registry and the process's security counters), with the queue gauges read
   * from the store at scrape time.
   */
  async render(): Promise<string> {
    try {
      const rows = await metricsRepository.pending(this.db);
      this.queueDepth.reset();
      this.queueOldestAge.reset();
      this.deadLetters.reset();
      for (const r of rows) {
        const labels = { client: r.clientId, flow: r.flow };
        this.queueDepth.set(labels, r.queued);
        this.queueOldestAge.set(labels, r.oldestQueuedSeconds ?? 0);
        this.deadLetters.set(labels, r.dead);
      }
      this.storeUp.set(1);
    } catch {
      this.storeUp.set(0);
    }
    for (const b of this.policies.list())
      this.circuitState.set({ client: b.clientId, scope: b.scope, name: b.name }, CIRCUIT_STATE_VALUE[b.state]);
    return Registry.merge([this.registry, securityRegistry]).metrics();
  }

  private transitioned(t: BreakerTransition): void {
    this.circuitTransitions.inc({ client: t.clientId, scope: t.scope, name: t.name, state: t.state });
    this.circuitState.set({ client: t.clientId, scope: t.scope, name: t.name }, CIRCUIT_STATE_VALUE[t.state]);
  }
}
