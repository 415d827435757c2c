import type { FastifyRequest } from 'fastify';
import type { Principal } from '../schema/context';
import type { Services } from '../services';
import { principalFromCredentials } from './principal';

const memo = new WeakMap<FastifyRequest, Promise<Principal | null>>();

/** The caller of one HTTP request, resolved once (the rate limiter and the GraphQL context share it). */
export function requestPrincipal(req: FastifyRequest, services: Services): Promise<Principal | null> {
  let p = memo.get(req);
  if (!p) {
    p = principalFromCredentials(req.headers, services);
    memo.set(req, p);
  }
  return p;
}
