import type { FastifyInstance } from 'fastify';
import {
  DocumentNode,
  ExecutionArgs,
  getOperationAST,
  GraphQLError,
  GraphQLFormattedError,
  specifiedRules,
  validate,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { authorizeOperation } from '../auth/authorize';
import { principalFromCredentials } from '../auth/principal';
import type { Config } from '../config';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/to-gateway-error';
import { buildGatewaySchema } from '../schema/build-schema';
import { createContext, Principal } from '../schema/context';
import { formatError } from '../schema/graphql.plugin';
import { graphqlProtection } from '../schema/armor';
import { nestedDeeperThan, tooDeep } from '../shared/json-depth';
import { forbiddenText } from '../shared/json-escapes';
import type { Services } from '../services';
import { EagerAckWebSocket } from './eager-ack-websocket';
import { FlowStatusMonitor } from './flow-status.monitor';
import { groupedSubscribe } from './grouped-subscribe';

/** Same path as Apollo's HTTP endpoint: HTTP requests go to Apollo, upgrade requests to graphql-ws. */
export const GRAPHQL_WS_PATH = '/graphql';
/** Operations are small; a larger frame is refused by ws before it is parsed. */
const MAX_MESSAGE_BYTES = 128 * 1024;
/** WebSocket "try again later": the graphql-ws client reconnects on it. */
const CLOSE_TRY_AGAIN_LATER = 1013;

type SocketExtra = { principal: Principal };
type Prepared = { document: DocumentNode } | { errors: GraphQLError[] };
/** Distinct operation texts kept parsed and validated (the oldest is forgotten first). */
const PREPARED_OPERATIONS = 500;
/** Longer operation texts are prepared each time (the cache stays small). */
const PREPARED_QUERY_CHARS = 8 * 1024;

export interface SubscriptionsOptions {
  config: Config;
  db: Database;
  services: Services;
}

/**
 * graphql-ws on `/graphql`: authenticates each connection from its `connectionParams` (the same
 * credentials as HTTP headers), validates each operation with the HTTP path's rules, serves
 * subscriptions only (queries and mutations go over HTTP, behind its limits), and runs the
 * flow-status monitor that feeds `flowStatusChanged`.
 */
export async function subscriptionsPlugin(app: FastifyInstance, opts: SubscriptionsOptions): Promise<void> {
  const { services, db } = opts;
  const schema = buildGatewaySchema();
  const production = opts.config.nodeEnv === 'production';
  // The same limits as the HTTP path (depth, cost, aliases, directives, tokens; no suggestions in production).
  const protection = graphqlProtection(opts.config);
  const rules = [...specifiedRules, ...protection.validationRules];
  const log = app.log.child({ transport: 'graphql-ws' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, WebSocket: EagerAckWebSocket });

  /**
   * Parsed and validated operations by their text, as Apollo's document store does for HTTP: 1,000
   * dashboards subscribing with the same query parse it and run the limits once, not 1,000 times.
   */
  const operations = new Map<string, Prepared>();
  const remember = (query: string, prepared: Prepared): Prepared => {
    if (query.length > PREPARED_QUERY_CHARS) return prepared;
    if (operations.size >= PREPARED_OPERATIONS) operations.delete(operations.keys().next().value!);
    operations.set(query, prepared);
    return prepared;
  };
  const prepare = (query: string): Prepared => {
    let document;
    try {
      document = protection.parse(query);
    } catch (err) {
      return { errors: [withCode(err as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    const invalid = validate(schema, document, rules);
    return invalid.length > 0 ? { errors: invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) } : { document };
  };
  const groups = new WeakMap<ExecutionArgs, string>();

  const graphqlWs = useServer<Record<string, unknown>, SocketExtra>(
    {
      isProd: production,
      onConnect: async (ctx) => {
        const who = await authenticate(ctx.connectionParams ?? {});
        if ('principal' in who) {
          ctx.extra.principal = who.principal;
          return true;
        }
        ctx.extra.socket.close(who.code, who.reason);
        return false;
      },
      onSubscribe: (ctx, _id, payload) => {
        const principal = ctx.extra.principal;
        if (!principal) return [new GatewayError('GW_UNAUTHENTICATED', 'Authentication required')];
        // Variables come from the socket's JSON message, which no body parser saw: the same text rule as HTTP bodies.
        if (nestedDeeperThan(payload.variables, opts.config.jsonMaxDepth)) return [tooDeep(opts.config.jsonMaxDepth)];
        const bad = forbiddenText(payload.variables) ?? forbiddenText(payload.operationName);
        if (bad)
          return [new GatewayError('GW_INVALID_ENCODING', `The operation carries ${bad}, which is not valid text`)];
        const prepared = operations.get(payload.query) ?? remember(payload.query, prepare(payload.query));
        if ('errors' in prepared) return prepared.errors;
        const { document } = prepared;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [
            withCode(new GraphQLError('Could not determine which operation to run'), 'OPERATION_RESOLUTION_FAILURE'),
          ];
        if (operation.operation !== 'subscription') {
          return [
            new GatewayError(
              'GW_FORBIDDEN',
              `Only subscriptions are served over WebSocket; send ${operation.operation}s to POST ${GRAPHQL_WS_PATH}`,
            ),
          ];
        }
        try {
          authorizeOperation(principal, { schema, document, operation }, { production });
        } catch (err) {
          return [toGatewayError(err).error];
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext({ principal, services, db, log }),
        };
        // Same operation, variables and caller: the same result for every event (see groupedSubscribe).
        const operationKey = [payload.query, payload.operationName ?? null, payload.variables ?? null];
        const caller = [principal.clientId, principal.role, principal.subject, principal.flow ?? null];
        groups.set(args, JSON.stringify([...operationKey, ...caller]));
        return args;
      },
      subscribe: groupedSubscribe((args) => groups.get(args)),
      onNext: (ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatted(e, ctx.extra.principal)) } : undefined,
      onError: (ctx, _id, _payload, errors) => errors.map((e) => formatted(e, ctx.extra.principal)),
    },
    wss,
  );

  /** Who the connection is, or how to refuse it (graphql-ws close codes). */
  async function authenticate(
    params: Record<string, unknown>,
  ): Promise<{ principal: Principal } | { code: number; reason: string }> {
    try {
      const principal = await principalFromCredentials(params, services);
      return principal
        ? { principal }
        : { code: CloseCode.Unauthorized, reason: 'Unauthorized: send credentials in connectionParams' };
    } catch (err) {
      const { error, unexpected } = toGatewayError(err);
      if (error.httpStatus === 401 || error.httpStatus === 403)
        return { code: 4000 + error.httpStatus, reason: error.message };
      if (unexpected) log.warn({ err }, 'graphql-ws connection refused: credentials could not be checked');
      return {
        code: CLOSE_TRY_AGAIN_LATER,
        reason: error.httpStatus === 503 ? 'Store unavailable; retry later' : 'Try again later',
      };
    }
  }

  function formatted(err: GraphQLError, principal: Principal | undefined): GraphQLFormattedError {
    const json = err.toJSON();
    // Apollo moves `extensions.http` into the HTTP status; on a socket there is no status to set.
    const { http: _http, ...extensions } = json.extensions ?? {};
    const message = protection.maskSuggestions(json.message, principal);
    const result = formatError({ ...json, message, extensions }, err);
    if (result.extensions?.code === 'GW_INTERNAL') log.error({ err: err.originalError ?? err }, 'subscription failed');
    return result;
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === GRAPHQL_WS_PATH) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } else if (app.server.listenerCount('upgrade') === 1) {
      socket.destroy(); // nobody else serves WebSockets on this path
    }
  };
  app.server.on('upgrade', onUpgrade);
  const stopErrorLog = services.events.onError((err) =>
    log.warn({ err }, 'live events transport error (events may be lost until it recovers)'),
  );

  const monitor = new FlowStatusMonitor({
    events: services.events,
    health: services.health,
    onError: (err) => log.warn({ err }, 'flow status could not be recomputed'),
  });
  app.addHook('onReady', async () => monitor.start());
  // Open sockets would keep the HTTP server from closing: say goodbye (1001) first.
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    await graphqlWs.dispose();
  });
  app.addHook('onClose', async () => {
    await monitor.stop();
    stopErrorLog();
    await services.events.close();
  });
}

function withCode(err: GraphQLError, code: string): GraphQLError {
  const at = { nodes: err.nodes, source: err.source, positions: err.positions };
  // The original stays reachable: formatError gives a refusal of ours (a query limit) its own code back.
  return new GraphQLError(err.message, { ...at, originalError: err, extensions: { ...err.extensions, code } });
}
