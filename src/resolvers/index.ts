import type { NonEmptyArray } from 'type-graphql';
import { AnalyticsMetricsResolver } from '../analytics/metrics.resolver';
import { RfmResolver } from '../analytics/rfm.resolver';
import { RuleResolver } from '../rules/rule.resolver';
import { EtlRunResolver } from '../flows/etl/etl.resolver';
import { CustomerResolver } from '../domain/customer.resolver';
import {
  InventoryAdjustmentResolver,
  InventorySnapshotLineResolver,
  InventorySnapshotResolver,
  StockLevelResolver,
} from '../flows/inventory/inventory.resolver';
import {
  PurchaseDivergenceResolver,
  PurchaseDocumentItemResolver,
  PurchaseDocumentResolver,
  PurchaseOrderItemResolver,
  PurchaseOrderResolver,
} from '../flows/purchase/purchase.resolver';
import { PaymentResolver, SaleItemResolver, SaleResolver } from '../flows/sales/sale.resolver';
import { TransferItemResolver, TransferResolver } from '../flows/transfer/transfer.resolver';
import {
  RefundResolver,
  ReturnItemResolver,
  ReturnResolver,
  SaleReturnsResolver,
} from '../flows/returns/return.resolver';
import { LiveEventsResolver } from '../subscriptions/live-events.resolver';
import { SecurityResolver } from '../security/security.resolver';
import { HealthResolver } from '../health/health.resolver';
import { MetricsResolver } from '../metrics/metrics.resolver';
import { WebhookEventResolver } from '../webhooks/webhook-event.resolver';

/** Every resolver of the graph. A new flow adds its resolvers here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's own type for classes
export const RESOLVERS: NonEmptyArray<Function> = [
  SaleResolver,
  SaleItemResolver,
  PaymentResolver,
  CustomerResolver,
  WebhookEventResolver,
  PurchaseOrderResolver,
  PurchaseOrderItemResolver,
  PurchaseDocumentResolver,
  PurchaseDocumentItemResolver,
  PurchaseDivergenceResolver,
  StockLevelResolver,
  InventoryAdjustmentResolver,
  InventorySnapshotResolver,
  InventorySnapshotLineResolver,
  TransferResolver,
  TransferItemResolver,
  ReturnResolver,
  ReturnItemResolver,
  RefundResolver,
  SaleReturnsResolver,
  LiveEventsResolver,
  SecurityResolver,
  HealthResolver,
  MetricsResolver,
  RfmResolver,
  AnalyticsMetricsResolver,
  RuleResolver,
  EtlRunResolver,
];
