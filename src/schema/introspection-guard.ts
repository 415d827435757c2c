import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, DocumentNode, visit } from 'graphql';
import { GatewayError } from '../errors/gateway-error';
import type { GraphQLContext } from './context';

/** Apollo reuses a parsed document across requests (its document store): walk each one once. */
const introspecting = new WeakMap<DocumentNode, boolean>();

export function usesIntrospection(document: DocumentNode): boolean {
  let found = introspecting.get(document);
  if (found === undefined) introspecting.set(document, (found = findsIntrospection(document)));
  return found;
}

function findsIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** In production, introspection is for the `ops` role only (development: open to all). */
export function introspectionGuard(production: boolean): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (production && contextValue.principal?.role !== 'ops' && usesIntrospection(document)) {
            throw new GatewayError('GW_FORBIDDEN', 'Introspection is available to ops only');
          }
        },
      };
    },
  };
}
