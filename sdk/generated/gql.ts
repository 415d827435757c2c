/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription CircuitStateChanged($client: String!) {\n  circuitStateChanged(client: $client) {\n    client\n    name\n    state\n    previous\n    at\n  }\n}": typeof types.CircuitStateChangedDocument,
    "query Customer($id: ID!, $first: Int, $after: String) {\n  customer(id: $id) {\n    id\n    name\n    email\n    document\n    sales(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          soldAt\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": typeof types.CustomerDocument,
    "subscription FlowStatusChanged($client: String!, $flow: String) {\n  flowStatusChanged(client: $client, flow: $flow) {\n    client\n    flow\n    status\n    previous\n    at\n  }\n}": typeof types.FlowStatusChangedDocument,
    "mutation RegisterCancellation($input: RegisterCancellationInput!) {\n  registerCancellation(input: $input) {\n    id\n    status\n    cancelledAt\n    cancellationReason\n  }\n}": typeof types.RegisterCancellationDocument,
    "mutation RegisterPayment($input: RegisterPaymentInput!) {\n  registerPayment(input: $input) {\n    id\n    saleId\n    amount\n    installments\n    paidAt\n    sale {\n      id\n      status\n      paidAmount\n    }\n  }\n}": typeof types.RegisterPaymentDocument,
    "mutation RegisterSale($input: RegisterSaleInput!) {\n  registerSale(input: $input) {\n    id\n    status\n    total\n    paidAmount\n    soldAt\n    storeCode\n  }\n}": typeof types.RegisterSaleDocument,
    "query Sale($id: ID!) {\n  sale(id: $id) {\n    id\n    status\n    channel\n    soldAt\n    total\n    paidAmount\n    cancelledAt\n    cancellationReason\n    store {\n      code\n      kind\n    }\n    customer {\n      id\n      name\n      email\n    }\n    items {\n      lineNo\n      sku\n      description\n      quantity\n      unitPrice\n      discount\n      lineTotal\n    }\n    payments {\n      id\n      method\n      amount\n      installments\n      paidAt\n    }\n  }\n}": typeof types.SaleDocument,
    "query Sales($filter: SalesFilterInput, $first: Int, $after: String) {\n  sales(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        storeCode\n        soldAt\n        total\n        paidAmount\n        customerId\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.SalesDocument,
    "query WebhookEvents($filter: WebhookEventsFilterInput, $first: Int, $after: String) {\n  webhookEvents(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        flow\n        action\n        status\n        httpStatus\n        businessId\n        receivedAt\n        processedAt\n        durationMs\n        error\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.WebhookEventsDocument,
    "subscription WebhookProcessed($client: String!, $flow: String) {\n  webhookProcessed(client: $client, flow: $flow) {\n    id\n    client\n    flow\n    action\n    outcome\n    httpStatus\n    durationMs\n    at\n  }\n}": typeof types.WebhookProcessedDocument,
};
const documents: Documents = {
    "subscription CircuitStateChanged($client: String!) {\n  circuitStateChanged(client: $client) {\n    client\n    name\n    state\n    previous\n    at\n  }\n}": types.CircuitStateChangedDocument,
    "query Customer($id: ID!, $first: Int, $after: String) {\n  customer(id: $id) {\n    id\n    name\n    email\n    document\n    sales(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          soldAt\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": types.CustomerDocument,
    "subscription FlowStatusChanged($client: String!, $flow: String) {\n  flowStatusChanged(client: $client, flow: $flow) {\n    client\n    flow\n    status\n    previous\n    at\n  }\n}": types.FlowStatusChangedDocument,
    "mutation RegisterCancellation($input: RegisterCancellationInput!) {\n  registerCancellation(input: $input) {\n    id\n    status\n    cancelledAt\n    cancellationReason\n  }\n}": types.RegisterCancellationDocument,
    "mutation RegisterPayment($input: RegisterPaymentInput!) {\n  registerPayment(input: $input) {\n    id\n    saleId\n    amount\n    installments\n    paidAt\n    sale {\n      id\n      status\n      paidAmount\n    }\n  }\n}": types.RegisterPaymentDocument,
    "mutation RegisterSale($input: RegisterSaleInput!) {\n  registerSale(input: $input) {\n    id\n    status\n    total\n    paidAmount\n    soldAt\n    storeCode\n  }\n}": types.RegisterSaleDocument,
    "query Sale($id: ID!) {\n  sale(id: $id) {\n    id\n    status\n    channel\n    soldAt\n    total\n    paidAmount\n    cancelledAt\n    cancellationReason\n    store {\n      code\n      kind\n    }\n    customer {\n      id\n      name\n      email\n    }\n    items {\n      lineNo\n      sku\n      description\n      quantity\n      unitPrice\n      discount\n      lineTotal\n    }\n    payments {\n      id\n      method\n      amount\n      installments\n      paidAt\n    }\n  }\n}": types.SaleDocument,
    "query Sales($filter: SalesFilterInput, $first: Int, $after: String) {\n  sales(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        storeCode\n        soldAt\n        total\n        paidAmount\n        customerId\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.SalesDocument,
    "query WebhookEvents($filter: WebhookEventsFilterInput, $first: Int, $after: String) {\n  webhookEvents(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        flow\n        action\n        status\n        httpStatus\n        businessId\n        receivedAt\n        processedAt\n        durationMs\n        error\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.WebhookEventsDocument,
    "subscription WebhookProcessed($client: String!, $flow: String) {\n  webhookProcessed(client: $client, flow: $flow) {\n    id\n    client\n    flow\n    action\n    outcome\n    httpStatus\n    durationMs\n    at\n  }\n}": types.WebhookProcessedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription CircuitStateChanged($client: String!) {\n  circuitStateChanged(client: $client) {\n    client\n    name\n    state\n    previous\n    at\n  }\n}"): typeof import('./graphql').CircuitStateChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Customer($id: ID!, $first: Int, $after: String) {\n  customer(id: $id) {\n    id\n    name\n    email\n    document\n    sales(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          soldAt\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"): typeof import('./graphql').CustomerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription FlowStatusChanged($client: String!, $flow: String) {\n  flowStatusChanged(client: $client, flow: $flow) {\n    client\n    flow\n    status\n    previous\n    at\n  }\n}"): typeof import('./graphql').FlowStatusChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegisterCancellation($input: RegisterCancellationInput!) {\n  registerCancellation(input: $input) {\n    id\n    status\n    cancelledAt\n    cancellationReason\n  }\n}"): typeof import('./graphql').RegisterCancellationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegisterPayment($input: RegisterPaymentInput!) {\n  registerPayment(input: $input) {\n    id\n    saleId\n    amount\n    installments\n    paidAt\n    sale {\n      id\n      status\n      paidAmount\n    }\n  }\n}"): typeof import('./graphql').RegisterPaymentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegisterSale($input: RegisterSaleInput!) {\n  registerSale(input: $input) {\n    id\n    status\n    total\n    paidAmount\n    soldAt\n    storeCode\n  }\n}"): typeof import('./graphql').RegisterSaleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Sale($id: ID!) {\n  sale(id: $id) {\n    id\n    status\n    channel\n    soldAt\n    total\n    paidAmount\n    cancelledAt\n    cancellationReason\n    store {\n      code\n      kind\n    }\n    customer {\n      id\n      name\n      email\n    }\n    items {\n      lineNo\n      sku\n      description\n      quantity\n      unitPrice\n      discount\n      lineTotal\n    }\n    payments {\n      id\n      method\n      amount\n      installments\n      paidAt\n    }\n  }\n}"): typeof import('./graphql').SaleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Sales($filter: SalesFilterInput, $first: Int, $after: String) {\n  sales(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        storeCode\n        soldAt\n        total\n        paidAmount\n        customerId\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql').SalesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WebhookEvents($filter: WebhookEventsFilterInput, $first: Int, $after: String) {\n  webhookEvents(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        flow\n        action\n        status\n        httpStatus\n        businessId\n        receivedAt\n        processedAt\n        durationMs\n        error\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql').WebhookEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription WebhookProcessed($client: String!, $flow: String) {\n  webhookProcessed(client: $client, flow: $flow) {\n    id\n    client\n    flow\n    action\n    outcome\n    httpStatus\n    durationMs\n    at\n  }\n}"): typeof import('./graphql').WebhookProcessedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
