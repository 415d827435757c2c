import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import { requestPrincipal } from '../auth/request-principal';
import type { Config } from '../config';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/to-gateway-error';
import { nestedDeeperThan, tooDeep } from '../shared/json-depth';
import { forbiddenJsonEscape, forbiddenText } from '../shared/json-escapes';
import { auditPlugin } from '../security/audit.plugin';
import type { Services } from '../services';
import { graphqlProtection } from './armor';
import { buildGatewaySchema } from './build-schema';
import { createContext, GraphQLContext } from './context';
import { operationGuard } from './operation-guard';
import { localJitGateway } from './jit-executor';

/** graphql-ws's path (src/subscriptions/subscriptions.plugin.ts GRAPHQL_WS_PATH, which imports this module). */
const GRAPHQL_WS_PATH = '/graphql';

/** Codes Apollo itself assigns to refused documents; they pass through unchanged. */
const APOLLO_INPUT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The error a caller sees: always a new object (errors graphql-jit builds have a read-only message).
 * Coded refusals and Apollo's input codes pass; anything else becomes a gateway code.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  // A refusal of ours reported by a validation rule (query limits): Apollo relabels it GRAPHQL_VALIDATION_FAILED.
  const refusal = error instanceof GraphQLError ? error.originalError : undefined;
  if (refusal instanceof GatewayError && refusal.code !== code)
    return { ...formatted, extensions: { ...formatted.extensions, code: refusal.code } };
  if (typeof code === 'string' && (code.startsWith('GW_') || APOLLO_INPUT_CODES.has(code))) return formatted;
  const original = unwrapResolverError(error);
  // type-graphql's AuthorizationError keeps the name GraphQLError: recognise it by class.
  if (original instanceof AuthorizationError || (original as { name?: string })?.name === 'AuthorizationError') {
    return { ...formatted, extensions: { code: 'GW_FORBIDDEN' } };
  }
  const { error: gw } = toGatewayError(original);
  return { message: gw.message, path: formatted.path, locations: formatted.locations, extensions: { code: gw.code } };
}

/** Subscriptions need a socket: over HTTP they are refused with where to open one. */
function subscriptionsOverWebSocket(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GatewayError(
            'GW_SUBSCRIPTION_OVER_HTTP',
            'Subscriptions are served over WebSocket: connect a graphql-ws client ' +
              `(protocol graphql-transport-ws) to ws(s)://<host>${GRAPHQL_WS_PATH}`,
            { details: { transport: 'graphql-ws', path: GRAPHQL_WS_PATH } },
          );
        },
      };
    },
  };
}

/**
 * Mounts Apollo Server on `/graphql` (GET and POST) with graphql-armor's limits, the audit of
 * mutations, and introspection / the Sandbox for everyone in development and for ops in production.
 */
export async function graphqlPlugin(
  app: FastifyInstance,
  opts: { config: Config; db: Database; services: Services },
): Promise<void> {
  const production = opts.config.nodeEnv === 'production';
  const protection = graphqlProtection(opts.config);
  const apollo = new ApolloServer<GraphQLContext>({
    ...(opts.config.graphqlJit ? { gateway: localJitGateway(buildGatewaySchema()) } : { schema: buildGatewaySchema() }),
    introspection: true, // gated per caller by operationGuard (authorizeOperation)
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Signals belong to main.ts's graceful close: Apollo's own handler stops the server and then
    // re-sends the signal to the process, which close-with-grace takes for a second one (exit 1).
    stopOnTerminationSignals: false,
    formatError,
    // Compact JSON (Apollo pretty-prints by default: larger bodies, slower to write).
    stringifyResult: (value) => JSON.stringify(value),
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    plugins: [
      fastifyApolloDrainPlugin(app),
      // A federated schema turns on inline traces (resolver timings for the gateway) by default: not ours to share.
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints in this graph; the default plugin would wrap every field's resolution (bench:graphql).
      ApolloServerPluginCacheControlDisabled(),
      ...protection.plugins,
      subscriptionsOverWebSocket(),
      operationGuard(production),
      auditPlugin(),
      ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();

  if (production) {
    // The Sandbox page (GET text/html) only for ops in production.
    app.addHook('onRequest', async (req, reply) => {
      if (
        req.method !== 'GET' ||
        !req.url.startsWith('/graphql') ||
        !String(req.headers.accept ?? '').includes('text/html')
      )
        return;
      const principal = await requestPrincipal(req, opts.services).catch(() => null);
      if (principal?.role !== 'ops')
        return reply.code(404).send(new GatewayError('GW_NOT_FOUND', 'No route GET /graphql').toBody());
    });
  }

  // A GET's variables and extensions are JSON in the query string, which the body parser never
  // sees: the same text rule.
  app.addHook('preValidation', async (req) => {
    if (req.method !== 'GET' || !req.query || typeof req.query !== 'object') return;
    for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
      const bad = (typeof value === 'string' ? forbiddenJsonEscape(value) : null) ?? forbiddenText(value);
      if (bad) throw new GatewayError('GW_INVALID_ENCODING', `The request carries ${bad}, which is not valid text`);
      if ((name === 'variables' || name === 'extensions') && typeof value === 'string' && deeperThanAllowed(value)) {
        throw tooDeep(opts.config.jsonMaxDepth);
      }
    }
  });

  /** A GET's JSON parameters under the body's nesting limit (Apollo parses them; invalid JSON is its refusal). */
  function deeperThanAllowed(json: string): boolean {
    try {
      return nestedDeeperThan(JSON.parse(json), opts.config.jsonMaxDepth);
    } catch {
      return false;
    }
  }

  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    context: async (req) => {
      try {
        return createContext({
          principal: await requestPrincipal(req, opts.services),
          services: opts.services,
          db: opts.db,
          log: req.log,
          ip: () => opts.services.webhookAuth.ipOf(req.socket.remoteAddress, req.headers),
        });
      } catch (err) {
        throw err instanceof GatewayError ? err : toGatewayError(err).error;
      }
    },
  });
}
