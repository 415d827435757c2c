import type { ApolloServerPlugin } from '@apollo/server';
import { authorizeOperation } from '../auth/authorize';
import type { GraphQLContext } from './context';

/**
 * GraphQL over HTTP: every resolved operation goes through `authorizeOperation` (the schema for ops
 * in production, flow-scoped keys within their flow), the step graphql-ws runs in `onSubscribe`.
 */
export function operationGuard(production: boolean): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          if (operation) authorizeOperation(contextValue.principal, { schema, document, operation }, { production });
        },
      };
    },
  };
}
