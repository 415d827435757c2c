/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type LiveCircuitState =
  | 'CLOSED'
  | 'HALF_OPEN'
  | 'ISOLATED'
  | 'OPEN';

/** A flow's health, as in /health/integrations/:client */
export type LiveFlowStatus =
  | 'DEGRADED'
  | 'DOWN'
  | 'OK';

export type LocationKind =
  | 'DISTRIBUTION_CENTER'
  | 'OTHER'
  | 'STORE';

export type RegisterCancellationInput = {
  cancelledAt: string;
  reason: string;
  saleId: string | number;
};

export type RegisterPaymentInput = {
  amount: string;
  id: string | number;
  installments?: number;
  method: string;
  paidAt: string;
  saleId: string | number;
};

export type RegisterSaleInput = {
  channel: string;
  customer?: SaleCustomerInput | null | undefined;
  id: string | number;
  items: Array<SaleItemInput>;
  soldAt: string;
  storeCode: string;
  /** Must equal Σ(quantity × unitPrice − discount) to the cent */
  total: string;
};

export type SaleCustomerInput = {
  document?: string | null | undefined;
  email?: string | null | undefined;
  id: string | number;
  name?: string | null | undefined;
};

export type SaleItemInput = {
  description?: string | null | undefined;
  discount?: string;
  quantity: number;
  sku: string;
  unitPrice: string;
};

/** open → paid as payments accumulate; cancelled reverses stock */
export type SaleStatus =
  | 'CANCELLED'
  | 'OPEN'
  | 'PAID';

export type SalesFilterInput = {
  customerId?: string | null | undefined;
  /** sold at or after */
  from?: string | null | undefined;
  status?: SaleStatus | null | undefined;
  storeCode?: string | null | undefined;
  /** sold before */
  to?: string | null | undefined;
};

export type WebhookEventStatus =
  | 'DEAD'
  | 'DUPLICATE'
  | 'FAILED'
  | 'PROCESSED'
  | 'PROCESSING'
  | 'QUEUED'
  | 'REJECTED';

export type WebhookEventsFilterInput = {
  action?: string | null | undefined;
  flow?: string | null | undefined;
  from?: string | null | undefined;
  status?: WebhookEventStatus | null | undefined;
  to?: string | null | undefined;
};

export type CircuitStateChangedSubscriptionVariables = Exact<{
  client: string;
}>;


export type CircuitStateChangedSubscription = { circuitStateChanged: { client: string, name: string, state: LiveCircuitState, previous: LiveCircuitState | null, at: string } };

export type CustomerQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CustomerQuery = { customer: { id: string, name: string | null, email: string | null, document: string | null, sales: { edges: Array<{ node: { id: string, status: SaleStatus, soldAt: string, total: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type FlowStatusChangedSubscriptionVariables = Exact<{
  client: string;
  flow?: string | null | undefined;
}>;


export type FlowStatusChangedSubscription = { flowStatusChanged: { client: string, flow: string, status: LiveFlowStatus, previous: LiveFlowStatus | null, at: string } };

export type RegisterCancellationMutationVariables = Exact<{
  input: RegisterCancellationInput;
}>;


export type RegisterCancellationMutation = { registerCancellation: { id: string, status: SaleStatus, cancelledAt: string | null, cancellationReason: string | null } };

export type RegisterPaymentMutationVariables = Exact<{
  input: RegisterPaymentInput;
}>;


export type RegisterPaymentMutation = { registerPayment: { id: string, saleId: string, amount: string, installments: number, paidAt: string, sale: { id: string, status: SaleStatus, paidAmount: string } } };

export type RegisterSaleMutationVariables = Exact<{
  input: RegisterSaleInput;
}>;


export type RegisterSaleMutation = { registerSale: { id: string, status: SaleStatus, total: string, paidAmount: string, soldAt: string, storeCode: string } };

export type SaleQueryVariables = Exact<{
  id: string | number;
}>;


export type SaleQuery = { sale: { id: string, status: SaleStatus, channel: string, soldAt: string, total: string, paidAmount: string, cancelledAt: string | null, cancellationReason: string | null, store: { code: string, kind: LocationKind }, customer: { id: string, name: string | null, email: string | null } | null, items: Array<{ lineNo: number, sku: string, description: string | null, quantity: number, unitPrice: string, discount: string, lineTotal: string }>, payments: Array<{ id: string, method: string, amount: string, installments: number, paidAt: string }> } | null };

export type SalesQueryVariables = Exact<{
  filter?: SalesFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SalesQuery = { sales: { edges: Array<{ cursor: string, node: { id: string, status: SaleStatus, storeCode: string, soldAt: string, total: string, paidAmount: string, customerId: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type WebhookEventsQueryVariables = Exact<{
  filter?: WebhookEventsFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhookEventsQuery = { webhookEvents: { edges: Array<{ cursor: string, node: { id: string, flow: string, action: string, status: WebhookEventStatus, httpStatus: number | null, businessId: string | null, receivedAt: string, processedAt: string | null, durationMs: number | null, error: unknown } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type WebhookProcessedSubscriptionVariables = Exact<{
  client: string;
  flow?: string | null | undefined;
}>;


export type WebhookProcessedSubscription = { webhookProcessed: { id: string, client: string, flow: string, action: string, outcome: WebhookEventStatus, httpStatus: number, durationMs: number, at: string } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CircuitStateChangedDocument = new TypedDocumentString(`
    subscription CircuitStateChanged($client: String!) {
  circuitStateChanged(client: $client) {
    client
    name
    state
    previous
    at
  }
}
    `) as unknown as TypedDocumentString<CircuitStateChangedSubscription, CircuitStateChangedSubscriptionVariables>;
export const CustomerDocument = new TypedDocumentString(`
    query Customer($id: ID!, $first: Int, $after: String) {
  customer(id: $id) {
    id
    name
    email
    document
    sales(first: $first, after: $after) {
      edges {
        node {
          id
          status
          soldAt
          total
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CustomerQuery, CustomerQueryVariables>;
export const FlowStatusChangedDocument = new TypedDocumentString(`
    subscription FlowStatusChanged($client: String!, $flow: String) {
  flowStatusChanged(client: $client, flow: $flow) {
    client
    flow
    status
    previous
    at
  }
}
    `) as unknown as TypedDocumentString<FlowStatusChangedSubscription, FlowStatusChangedSubscriptionVariables>;
export const RegisterCancellationDocument = new TypedDocumentString(`
    mutation RegisterCancellation($input: RegisterCancellationInput!) {
  registerCancellation(input: $input) {
    id
    status
    cancelledAt
    cancellationReason
  }
}
    `) as unknown as TypedDocumentString<RegisterCancellationMutation, RegisterCancellationMutationVariables>;
export const RegisterPaymentDocument = new TypedDocumentString(`
    mutation RegisterPayment($input: RegisterPaymentInput!) {
  registerPayment(input: $input) {
    id
    saleId
    amount
    installments
    paidAt
    sale {
      id
      status
      paidAmount
    }
  }
}
    `) as unknown as TypedDocumentString<RegisterPaymentMutation, RegisterPaymentMutationVariables>;
export const RegisterSaleDocument = new TypedDocumentString(`
    mutation RegisterSale($input: RegisterSaleInput!) {
  registerSale(input: $input) {
    id
    status
    total
    paidAmount
    soldAt
    storeCode
  }
}
    `) as unknown as TypedDocumentString<RegisterSaleMutation, RegisterSaleMutationVariables>;
export const SaleDocument = new TypedDocumentString(`
    query Sale($id: ID!) {
  sale(id: $id) {
    id
    status
    channel
    soldAt
    total
    paidAmount
    cancelledAt
    cancellationReason
    store {
      code
      kind
    }
    customer {
      id
      name
      email
    }
    items {
      lineNo
      sku
      description
      quantity
      unitPrice
      discount
      lineTotal
    }
    payments {
      id
      method
      amount
      installments
      paidAt
    }
  }
}
    `) as unknown as TypedDocumentString<SaleQuery, SaleQueryVariables>;
export const SalesDocument = new TypedDocumentString(`
    query Sales($filter: SalesFilterInput, $first: Int, $after: String) {
  sales(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      node {
        id
        status
        storeCode
        soldAt
        total
        paidAmount
        customerId
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SalesQuery, SalesQueryVariables>;
export const WebhookEventsDocument = new TypedDocumentString(`
    query WebhookEvents($filter: WebhookEventsFilterInput, $first: Int, $after: String) {
  webhookEvents(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      node {
        id
        flow
        action
        status
        httpStatus
        businessId
        receivedAt
        processedAt
        durationMs
        error
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<WebhookEventsQuery, WebhookEventsQueryVariables>;
export const WebhookProcessedDocument = new TypedDocumentString(`
    subscription WebhookProcessed($client: String!, $flow: String) {
  webhookProcessed(client: $client, flow: $flow) {
    id
    client
    flow
    action
    outcome
    httpStatus
    durationMs
    at
  }
}
    `) as unknown as TypedDocumentString<WebhookProcessedSubscription, WebhookProcessedSubscriptionVariables>;