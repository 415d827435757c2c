import type { FastifyBaseLogger } from 'fastify';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import type { Services } from '../services';
import { createLoaders, Loaders } from './loaders';

export type Role = 'app' | 'ops' | 'webhook';

export interface Principal {
  /** The tenant. Empty for an `ops` token that names no client: it must pass `client` where a query needs one. */
  clientId: string;
  role: Role;
  /** Who acts: an API key's name or a JWT subject; recorded in audits. */
  subject: string;
  /** A flow-scoped API key's flow (`sales`): its flow's mutations and entities only (src/auth/authorize.ts). */
  flow?: string;
}

export interface GraphQLContext {
  principal: Principal | null;
  services: Services;
  log: FastifyBaseLogger;
  /** Reads for field resolvers: the delivery's transaction in the webhook pipeline, else the pool. */
  reader: Queryable;
  /** Runs a write: inside the delivery's open transaction in the webhook pipeline, else in a new one. */
  unitOfWork<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  loaders: Loaders;
  /** The caller's address (after trusted proxies), for the audit trail. */
  readonly ip?: string;
}

export function createContext(opts: {
  principal: Principal | null;
  services: Services;
  db: Database;
  log: FastifyBaseLogger;
  transaction?: Queryable;
  /** The caller's address; worked out only if read (the audit of mutations), not for every query. */
  ip?: () => string | undefined;
}): GraphQLContext {
  return new RequestContext(opts);
}

/**
 * A class, not an object literal, because Apollo Server gives each operation a copy of the context
 * (`Object.assign(Object.create(prototype), context)`): an own getter would be called by that copy,
 * so `ip` would be worked out for every request. On the prototype, the copy keeps it lazy.
 */
class RequestContext implements GraphQLContext {
  readonly principal: Principal | null;
  readonly services: Services;
  readonly log: FastifyBaseLogger;
  readonly reader: Queryable;
  readonly unitOfWork: GraphQLContext['unitOfWork'];
  readonly loaders: Loaders;
  private readonly ipOf?: () => string | undefined;
  private ipMemo?: { value: string | undefined };

  constructor(opts: Parameters<typeof createContext>[0]) {
    const tx = opts.transaction;
    this.principal = opts.principal;
    this.services = opts.services;
    this.log = opts.log;
    this.reader = tx ?? opts.db;
    this.unitOfWork = tx ? (fn) => fn(tx) : (fn) => opts.db.transaction(fn);
    this.loaders = createLoaders(this.reader, () => clientIdOf(opts.principal));
    this.ipOf = opts.ip;
  }

  get ip(): string | undefined {
    this.ipMemo ??= { value: this.ipOf?.() };
    return this.ipMemo.value;
  }
}

export function clientIdOf(principal: Principal | null): string {
  if (!principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  if (!principal.clientId) {
    throw new GatewayError('GW_VALIDATION_FAILED', 'This token names no client; pass `client`', {
      issues: [{ path: 'client', code: 'required', message: 'an ops token without client_id must name the client' }],
    });
  }
  return principal.clientId;
}

/**
 * The caller's client (tenant). Every business query is scoped by it. `requested` is an explicit
 * `client` argument: `ops` may name any client; anyone else only their own.
 */
export function tenantOf(ctx: GraphQLContext, requested?: string | null): string {
  return tenantOfPrincipal(ctx.principal, requested);
}

/** `tenantOf` for a principal outside GraphQL (the REST ops endpoints apply the very same rule). */
export function tenantOfPrincipal(principal: Principal | null, requested?: string | null): string {
  if (!principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  if (requested === undefined || requested === null || requested === '') return clientIdOf(principal);
  if (principal.role === 'ops' || requested === principal.clientId) return requested;
  throw new GatewayError('GW_FORBIDDEN', 'You may not act for another client');
}
