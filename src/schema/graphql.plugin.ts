import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { principalFromCredentials } from '../auth/principal';
import { GraphQLFormattedError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import type { Config } from '../config';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/to-gateway-error';
import type { Services } from '../services';
import { buildGatewaySchema } from './build-schema';
import { createContext, GraphQLContext } from './context';

/** Codes Apollo itself assigns to refused documents; they pass through unchanged. */
const APOLLO_INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (code.startsWith('GW_') || APOLLO_INPUT_CODES.has(code))) return formatted;
  const original = unwrapResolverError(error);
  // type-graphql's AuthorizationError keeps the name GraphQLError: recognise it by class.
  if (original instanceof AuthorizationError || (original as { name?: string })?.name === 'AuthorizationError') {
    return { ...formatted, extensions: { code: 'GW_FORBIDDEN' } };
  }
  const { error: gw } = toGatewayError(original);
  return { message: gw.message, path: formatted.path, locations: formatted.locations, extensions: { code: gw.code } };
}

/** Mounts Apollo Server on `/graphql` (GET and POST). */
export async function graphqlPlugin(app: FastifyInstance, opts: { config: Config; db: Database; services: Services }): Promise<void> {
  const production = opts.config.nodeEnv === 'production';
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildGatewaySchema(),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      fastifyApolloDrainPlugin(app),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    context: async (req) => {
      try {
        return createContext({ principal: await principalFromCredentials(req.headers, opts.services), services: opts.services, db: opts.db, log: req.log });
      } catch (err) {
        throw err instanceof GatewayError ? err : toGatewayError(err).error;
      }
    },
  });
}
