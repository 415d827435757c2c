/** The hub's SDK: typed operations (generated from sdk/operations by `npm run sdk:generate`) and the client. */
export * from './generated/graphql';
export { graphql } from './generated/gql';
export { createHubClient, credentialHeaders, HubClientError } from './client';
export type { Document, HubClient, HubClientOptions, HubError } from './client';
