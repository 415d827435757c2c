import type { Config } from '../config';
import { clientModule } from '../clients/registry';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { metricsRepository } from '../metrics/metrics.repository';
import type { BreakerState, PolicyRegistry } from '../resilience/policy-registry';
import { healthRepository } from './health.repository';
import { RedisStatus } from './redis-status';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface FlowHealth {
  status: HealthStatus;
  last_success: string | null;
  error_rate: number;
  events_in_window: number;
  errors_in_window: number;
  /** The flow's store breaker in this instance. */
  circuit: BreakerState;
  /** Events stored and waiting for a worker (all instances). */
  queue_size: number;
}

export interface IntegrationHealth {
  client: string;
  status: HealthStatus;
  store: 'up' | 'down';
  window_seconds: number;
  checked_at: string;
  flows: Record<string, FlowHealth>;
  /** Breakers of the client's connectors (outbound calls), by name. */
  connectors: Record<string, { status: HealthStatus; circuit: BreakerState }>;
  /** With REDIS_URL: whether this instance reaches Redis (down: rate limits fail open, live events stay local). */
  redis?: 'up' | 'down';
}

/** `/health/ready`: names no client. */
export interface Readiness {
  /** `degraded`: the store answers, Redis does not. */
  status: HealthStatus;
  store: 'up' | 'down';
  redis?: 'up' | 'down';
}

const SEVERITY: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * Integration health from the audit trail and the breakers: a flow is `degraded` when its error
 * rate in the window (refused + failed + dead over all non-duplicate deliveries) passes the
 * threshold with at least `minEvents` deliveries, and `down` when its breaker is open or the store
 * cannot be reached. A client is as healthy as its worst flow or connector. (Status changes are
 * announced by the FlowStatusMonitor, which recomputes this on every event and breaker transition.)
 */
export class HealthService {
  constructor(
    private readonly db: Database,
    private readonly config: Config['health'],
    private readonly policies?: PolicyRegistry,
    private readonly redis = new RedisStatus(),
  ) {}

  /** Whether this instance can serve: the store answers `select 1` within `readyTimeoutMs`. */
  async ready(): Promise<Readiness> {
    const up = await this.db.ping(this.config.readyTimeoutMs);
    const redis = this.redis.state;
    const status: HealthStatus = !up ? 'down' : redis === 'down' ? 'degraded' : 'ok';
    return { status, store: up ? 'up' : 'down', ...(redis && { redis }) };
  }

  async integrations(clientId: string): Promise<IntegrationHealth> {
    const client = clientModule(clientId);
    if (!client) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
    const checkedAt = new Date().toISOString();
    const connectors = Object.fromEntries(
      (this.policies?.list(clientId) ?? [])
        .filter((b) => b.scope === 'connector')
        .map((b) => [
          b.name.replace(/^connector:/, ''),
          {
            status: b.state === 'closed' ? 'ok' : b.state === 'half_open' ? 'degraded' : 'down',
            circuit: b.state,
          } as const,
        ]),
    );
    const redis = this.redis.state;
    const base = {
      client: clientId,
      window_seconds: this.config.windowSeconds,
      checked_at: checkedAt,
      connectors,
      ...(redis && { redis }),
    };
    const circuitOf = (flow: string): BreakerState => this.policies?.forFlow(clientId, flow).state ?? 'closed';
    let rows;
    let queued: Map<string, number>;
    try {
      [rows, queued] = await Promise.all([
        // On the pool itself: health is recomputed in the background after events (the flow-status
        // monitor), which is no request's cost in db.queryCount.
        healthRepository.flowActivity(this.db.pool, clientId, [...client.flows], this.config.windowSeconds),
        metricsRepository.queueSizes(this.db.pool, clientId),
      ]);
    } catch {
      const flows = Object.fromEntries(
        client.flows.map((f) => [
          f,
          {
            status: 'down',
            last_success: null,
            error_rate: 0,
            events_in_window: 0,
            errors_in_window: 0,
            circuit: circuitOf(f),
            queue_size: 0,
          } as FlowHealth,
        ]),
      );
      return { ...base, status: 'down', store: 'down', flows };
    }
    const flows: Record<string, FlowHealth> = {};
    for (const r of rows) {
      const errorRate = r.total === 0 ? 0 : r.errors / r.total;
      const degraded = r.total >= this.config.minEvents && errorRate > this.config.errorRateThreshold;
      const circuit = circuitOf(r.flow);
      const status: HealthStatus =
        circuit === 'open' || circuit === 'isolated' ? 'down' : degraded || circuit === 'half_open' ? 'degraded' : 'ok';
      flows[r.flow] = {
        status,
        last_success: r.lastSuccess?.toISOString() ?? null,
        error_rate: Math.round(errorRate * 10_000) / 10_000,
        events_in_window: r.total,
        errors_in_window: r.errors,
        circuit,
        queue_size: queued.get(r.flow) ?? 0,
      };
    }
    const statuses = [...Object.values(flows), ...Object.values(connectors)].map((f) => f.status);
    const worst = statuses.reduce<HealthStatus>((acc, s) => (SEVERITY[s] > SEVERITY[acc] ? s : acc), 'ok');
    return { ...base, status: worst, store: 'up', flows };
  }
}
