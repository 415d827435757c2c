import type { Config } from '../config';
import { clientModule } from '../clients/registry';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { healthRepository } from './health.repository';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface FlowHealth {
  status: HealthStatus;
  last_success: string | null;
  error_rate: number;
  events_in_window: number;
  errors_in_window: number;
}

export interface IntegrationHealth {
  client: string;
  status: HealthStatus;
  store: 'up' | 'down';
  window_seconds: number;
  checked_at: string;
  flows: Record<string, FlowHealth>;
}

const SEVERITY: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * Integration health from the audit trail: a flow is `degraded` when its error rate in the window
 * (refused + failed deliveries over all non-duplicate deliveries) passes the threshold with at
 * least `minEvents` deliveries, and `down` when the store cannot be reached.
 */
export class HealthService {
  constructor(
    private readonly db: Database,
    private readonly config: Config['health'],
  ) {}

  async integrations(clientId: string): Promise<IntegrationHealth> {
    const client = clientModule(clientId);
    if (!client) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
    const checkedAt = new Date().toISOString();
    const base = { client: clientId, window_seconds: this.config.windowSeconds, checked_at: checkedAt };
    let rows;
    try {
      rows = await healthRepository.flowActivity(this.db, clientId, [...client.flows], this.config.windowSeconds);
    } catch {
      const down: FlowHealth = { status: 'down', last_success: null, error_rate: 0, events_in_window: 0, errors_in_window: 0 };
      return { ...base, status: 'down', store: 'down', flows: Object.fromEntries(client.flows.map((f) => [f, down])) };
    }
    const flows: Record<string, FlowHealth> = {};
    for (const r of rows) {
      const errorRate = r.total === 0 ? 0 : r.errors / r.total;
      const degraded = r.total >= this.config.minEvents && errorRate > this.config.errorRateThreshold;
      flows[r.flow] = {
        status: degraded ? 'degraded' : 'ok',
        last_success: r.lastSuccess?.toISOString() ?? null,
        error_rate: Math.round(errorRate * 10_000) / 10_000,
        events_in_window: r.total,
        errors_in_window: r.errors,
      };
    }
    const worst = Object.values(flows).reduce<HealthStatus>((acc, f) => (SEVERITY[f.status] > SEVERITY[acc] ? f.status : acc), 'ok');
    return { ...base, status: worst, store: 'up', flows };
  }
}
