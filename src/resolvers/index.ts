import type { NonEmptyArray } from 'type-graphql';
import { EtlRunResolver } from '../flows/etl/etl.resolver';
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
  EtlRunResolver,
];
