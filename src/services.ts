import { AnalyticsServices, createAnalyticsServices } from './analytics/analytics.services';
import { ApiKeyService } from './auth/api-key.service';
import { JwtVerifier } from './auth/jwt';
import { AuditService } from './security/audit.service';
import { ClientSecurityService } from './security/client-security.service';
import { WebhookAuthenticator } from './security/webhook-authenticator';
import type { Config } from './config';
import { Database, pgSsl } from './db/database';
import { EtlService } from './flows/etl/etl.service';
import { wireEtl } from './flows/etl/etl.wiring';
import { InventoryService } from './flows/inventory/inventory.service';
import { PurchaseService } from './flows/purchase/purchase.service';
import { SaleService } from './flows/sales/sale.service';
import { TransferService } from './flows/transfer/transfer.service';
import { ReturnService } from './flows/returns/return.service';
import { HealthService } from './health/health.service';
import { RedisStatus } from './health/redis-status';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { WebhookQueue } from './queue/webhook-queue';
import { PolicyRegistry } from './resilience/policy-registry';
import { createEventBus } from './subscriptions/event-bus';
import type { HubEventBus } from './subscriptions/hub-events';

/** The application's services, built once per process and handed to routes and resolvers. */
export interface Services extends AnalyticsServices {
  apiKeys: ApiKeyService;
  health: HealthService;
  sales: SaleService;
  purchases: PurchaseService;
  inventory: InventoryService;
  transfers: TransferService;
  returns: ReturnService;
  /** Live events for subscriptions (flow status, processed events, circuit state). */
  events: HubEventBus;
  /** This instance's Redis connections, as health reports them. */
  redis: RedisStatus;
  jwt: JwtVerifier;
  security: ClientSecurityService;
  webhookAuth: WebhookAuthenticator;
  audit: AuditService;
  /** Resilience policies (timeout, breaker, retry, bulkhead) per client/flow/connector. */
  policies: PolicyRegistry;
  metrics: GatewayMetrics;
  /** The durable webhook queue (pg-boss); started with the server. */
  queue: WebhookQueue;
  etl: EtlService;
}

export function createServices(db: Database, config: Config): Services {
  const apiKeys = new ApiKeyService(db, config.apiKeyCacheSeconds, config.nodeEnv === 'production');
  const security = new ClientSecurityService(db);
  const redis = new RedisStatus();
  const events = createEventBus(config, redis);
  const policies = new PolicyRegistry(config.policy, events);
  const services: Services = {
    ...createAnalyticsServices(db, config, events),
    apiKeys,
    health: new HealthService(db, config.health, policies, redis),
    sales: new SaleService(),
    purchases: new PurchaseService(),
    inventory: new InventoryService(),
    transfers: new TransferService(),
    returns: new ReturnService(),
    events,
    redis,
    jwt: new JwtVerifier(config.security.jwt),
    security,
    webhookAuth: new WebhookAuthenticator({ db, apiKeys, security, trustedProxies: config.security.trustedProxies }),
    audit: new AuditService(db),
    policies,
    metrics: new GatewayMetrics(db, policies),
    queue: new WebhookQueue({
      connectionString: db.options.connectionString,
      ssl: pgSsl(db.options.ssl),
      config: config.queue,
    }),
    etl: new EtlService(db, config, () => services),
  };
  services.queue.extend(services.reactionQueue);
  wireEtl(services, db, config);
  return services;
}
