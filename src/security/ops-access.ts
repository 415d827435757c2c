import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OperationTypeNode } from 'graphql';
import { authorizeRootField } from '../auth/authorize';
import { requestPrincipal } from '../auth/request-principal';
import type { Config } from '../config';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/to-gateway-error';
import { Principal, tenantOfPrincipal } from '../schema/context';
import type { Services } from '../services';
import { outcomeOf } from './audit.service';
import { opsAccessRefusals } from './security-metrics';

type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface OpsAccess {
  /**
   * `/health/integrations/:client`: ops (any client), or a principal of that very client that reaches
   * `flowHealth` (not a flow-scoped key) — the rule of GraphQL `flowHealth`.
   */
  clientHealth: Guard;
  /** `/metrics`: an ops principal, or the Prometheus scrape token (`METRICS_TOKEN`) as a Bearer credential. */
  metrics: Guard;
}

const BEARER = /^Bearer\s+(\S+)$/i;
const JWT_SHAPE = /^[\w-]+\.[\w-]*\.[\w-]*$/;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The ops endpoints' guards, with the same credentials and verification as `/graphql`
 * (`requestPrincipal`: Bearer JWT or x-api-key). Probes (`/health/live`, `/health/ready`) have none.
 * A refusal is 401 `GW_UNAUTHENTICATED` (with `WWW-Authenticate: Bearer`) or 403 `GW_FORBIDDEN`,
 * counted in `axon_ops_access_refusals_total{route,reason}` and recorded in the audit trail.
 */
export function opsAccess(opts: { config: Config; services: Services }): OpsAccess {
  const { services } = opts;
  const scrapeToken = opts.config.security.metricsToken ? digest(opts.config.security.metricsToken) : undefined;

  /**
   * Runs `check`; a 401/403 it throws is counted, audited and rethrown; other failures (the store
   * down while checking an API key: 503) pass on coded.
   */
  async function guarded(
    req: FastifyRequest,
    reply: FastifyReply,
    check: (principal: () => Promise<Principal | null>) => Promise<void>,
  ): Promise<void> {
    let principal: Principal | null = null;
    try {
      await check(async () => (principal = await requestPrincipal(req, services)));
    } catch (err) {
      const { error, unexpected } = toGatewayError(err);
      if (unexpected) req.log.warn({ err }, 'ops endpoint: credentials could not be checked');
      if (error.httpStatus !== 401 && error.httpStatus !== 403) throw error; // e.g. 503: an API key needs the store
      const route = req.routeOptions.url ?? req.url.split('?')[0];
      opsAccessRefusals.inc({ route, reason: error.code });
      if (error.httpStatus === 401) reply.header('www-authenticate', 'Bearer realm="axon"');
      const who = principal as Principal | null;
      await services.audit.record(
        {
          clientId: who?.clientId || null,
          actor: who?.subject ?? 'anonymous',
          role: who?.role ?? null,
          source: 'rest',
          action: `${req.method} ${route}`,
          target: (req.params as { client?: string } | undefined)?.client?.slice(0, 64) ?? null,
          ip: services.webhookAuth.ipOf(req.socket.remoteAddress, req.headers) ?? null,
          outcome: outcomeOf(error.httpStatus, error.code),
        },
        req.log,
      );
      throw error;
    }
  }

  return {
    clientHealth: (req, reply) =>
      guarded(req, reply, async (principalOf) => {
        const principal = await principalOf();
        if (!principal)
          throw new GatewayError(
            'GW_UNAUTHENTICATED',
            'Send Authorization: Bearer <JWT> (ops, or of this client) or an x-api-key of this client',
          );
        tenantOfPrincipal(principal, (req.params as { client: string }).client);
        authorizeRootField(principal, OperationTypeNode.QUERY, 'flowHealth');
      }),

    metrics: (req, reply) =>
      guarded(req, reply, async (principalOf) => {
        const authorization = req.headers.authorization;
        const bearer = typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
        // Compared as digests with timingSafeEqual: the time taken reveals neither the token nor its length.
        if (bearer !== undefined && scrapeToken && timingSafeEqual(digest(bearer), scrapeToken)) return;
        if (bearer !== undefined && !JWT_SHAPE.test(bearer))
          throw new GatewayError(
            'GW_UNAUTHENTICATED',
            'The bearer credential is neither the metrics scrape token nor a JWT',
          );
        const principal = await principalOf();
        if (!principal)
          throw new GatewayError('GW_UNAUTHENTICATED', 'Send Authorization: Bearer <ops JWT or metrics scrape token>');
        if (principal.role !== 'ops')
          throw new GatewayError('GW_FORBIDDEN', 'Metrics are for ops (an ops JWT or the scrape token)');
      }),
  };
}
