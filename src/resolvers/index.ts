import type { NonEmptyArray } from 'type-graphql';
import { AnalyticsMetricsResolver } from '../analytics/metrics.resolver';
import { RfmResolver } from '../analytics/rfm.resolver';
import { RuleResolver } from '../rules/rule.resolver';
import { CustomerResolver } from '../domain/customer.resolver';
import { PaymentResolver, SaleItemResolver, SaleResolver } from '../flows/sales/sale.resolver';
import { WebhookEventResolver } from '../webhooks/webhook-event.resolver';

/** Every resolver of the graph. A new flow adds its resolvers here. */
export const RESOLVERS: NonEmptyArray<Function> = [
  SaleResolver,
  SaleItemResolver,
  PaymentResolver,
  CustomerResolver,
  WebhookEventResolver,
  RfmResolver,
  AnalyticsMetricsResolver,
  RuleResolver,
];
