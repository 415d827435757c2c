import { ApiKeyService } from './auth/api-key.service';
import type { Config } from './config';
import { Database, pgSsl } from './db/database';
import { SaleService } from './flows/sales/sale.service';
import { HealthService } from './health/health.service';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { WebhookQueue } from './queue/webhook-queue';
import { PolicyRegistry } from './resilience/policy-registry';
import { createHubPubSub, HubPubSub } from './subscriptions/hub-events';

/** The application's services, built once per process and handed to routes and resolvers. */
export interface Services {
  apiKeys: ApiKeyService;
  health: HealthService;
  sales: SaleService;
  /** Live events for subscriptions (flow status, processed events, circuit state). */
  events: HubPubSub;
  /** Resilience policies (timeout, breaker, retry, bulkhead) per client/flow/connector. */
  policies: PolicyRegistry;
  metrics: GatewayMetrics;
  /** The durable webhook queue (pg-boss); started with the server. */
  queue: WebhookQueue;
}

export function createServices(db: Database, config: Config): Services {
  const events = createHubPubSub();
  const policies = new PolicyRegistry(config.policy, events);
  return {
    apiKeys: new ApiKeyService(db),
    health: new HealthService(db, config.health, policies, events),
    sales: new SaleService(),
    events,
    policies,
    metrics: new GatewayMetrics(db, policies),
    queue: new WebhookQueue({ connectionString: db.options.connectionString, ssl: pgSsl(db.options.ssl), config: config.queue }),
  };
}
