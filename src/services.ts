import { ApiKeyService } from './auth/api-key.service';
import type { Config } from './config';
import { Database } from './db/database';
import { EtlService } from './flows/etl/etl.service';
import { SaleService } from './flows/sales/sale.service';
import { HealthService } from './health/health.service';
import { createHubPubSub, HubPubSub } from './subscriptions/hub-events';

/** The application's services, built once per process and handed to routes and resolvers. */
export interface Services {
  apiKeys: ApiKeyService;
  health: HealthService;
  sales: SaleService;
  /** Live events for subscriptions (flow status, processed events, circuit state). */
  events: HubPubSub;
  etl: EtlService;
}

export function createServices(db: Database, config: Config): Services {
  const services: Services = {
    apiKeys: new ApiKeyService(db),
    health: new HealthService(db, config.health),
    sales: new SaleService(),
    events: createHubPubSub(),
    etl: new EtlService(db, config, () => services),
  };
  return services;
}
