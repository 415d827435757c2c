import { registerEnumType } from 'type-graphql';

/** What a rule can react to. Each is derived after commit from a processed delivery or a hub event. */
export enum RuleEventType {
  SALE_REGISTERED = 'sale_registered',
  PAYMENT_REGISTERED = 'payment_registered',
  SALE_CANCELLED = 'sale_cancelled',
  RETURN_REGISTERED = 'return_registered',
  TRANSFER_RECEIVED_WITH_DIVERGENCE = 'transfer_received_with_divergence',
  /** A location/sku's stock after a delivery moved it; "stock below a level" = this with `quantity < level`. */
  STOCK_LEVEL = 'stock_level',
  BREAKER_OPENED = 'breaker_opened',
}
registerEnumType(RuleEventType, {
  name: 'RuleEventType',
  valuesConfig: {
    STOCK_LEVEL: {
      description: 'stock of a location/sku after a movement; combine with a `quantity lessThan <level>` condition',
    },
    BREAKER_OPENED: { description: 'a circuit breaker (flow, connector or outbound webhook) opened' },
  },
});

/** One thing that happened, as rules see it. `key` identifies it for at-most-once firing per rule. */
export interface DomainEvent {
  type: RuleEventType;
  clientId: string;
  key: string;
  facts: Record<string, unknown>;
  customerId?: string | null;
}
