import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AuthChecker, buildSchemaSync } from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { RESOLVERS } from '../resolvers';
import type { GraphQLContext } from './context';

/**
 * `@Authorized()` needs a principal (its tenant is then enforced by `tenantOf`); `@Authorized('ops')`
 * also one of the roles. The `webhook` role exists only inside the pipeline (tokens cannot claim it).
 */
const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  if (roles.length === 0 || roles.includes(context.principal.role)) return true;
  throw new GatewayError('GW_FORBIDDEN', `This field requires the ${roles.join(' or ')} role`);
};

let cached: GraphQLSchema | undefined;

export function buildGatewaySchema(): GraphQLSchema {
  cached ??= buildSchemaSync({ resolvers: RESOLVERS, authChecker, validate: false });
  return cached;
}

/** The SDL committed as schema.graphql (sorted, so diffs show real changes only). */
export function printGatewaySchema(): string {
  return printSchema(lexicographicSortSchema(buildGatewaySchema())) + '\n';
}
