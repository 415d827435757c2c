import type { FastifyBaseLogger } from 'fastify';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import type { Services } from '../services';
import { createLoaders, Loaders } from './loaders';

export type Role = 'app' | 'ops' | 'webhook';

export interface Principal {
  clientId: string;
  role: Role;
  /** Who acts: an API key's name or a JWT subject; recorded in audits. */
  subject: string;
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
}

export function createContext(opts: {
  principal: Principal | null;
  services: Services;
  db: Database;
  log: FastifyBaseLogger;
  transaction?: Queryable;
}): GraphQLContext {
  const reader = opts.transaction ?? opts.db;
  const tx = opts.transaction;
  return {
    principal: opts.principal,
    services: opts.services,
    log: opts.log,
    reader,
    unitOfWork: tx ? (fn) => fn(tx) : (fn) => opts.db.transaction(fn),
    loaders: createLoaders(reader, () => clientIdOf(opts.principal)),
  };
}

export function clientIdOf(principal: Principal | null): string {
  if (!principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  return principal.clientId;
}

/** The caller's client (tenant). Every business query is scoped by it. */
export function tenantOf(ctx: GraphQLContext): string {
  return clientIdOf(ctx.principal);
}
