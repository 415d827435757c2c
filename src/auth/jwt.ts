import { createRemoteJWKSet, decodeProtectedHeader, errors, JWTPayload, jwtVerify } from 'jose';
import type { SecurityConfig } from '../config';
import { GatewayError } from '../errors/gateway-error';
import type { Principal, Role } from '../schema/context';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const CLIENT_ID = /^[a-z][a-z0-9-]{1,62}$/;
const EXTERNAL_ROLES: ReadonlySet<Role> = new Set<Role>(['app', 'ops']);

/** Our claims, at the top level or (Supabase custom claims) under `app_metadata`. */
function claim(payload: JWTPayload, name: string): unknown {
  return payload[name] ?? (payload.app_metadata as Record<string, unknown> | undefined)?.[name];
}

/**
 * Bearer JWTs for the graph: HS256 with the shared (Supabase) secret and/or keys from a JWKS URL;
 * issuer (when configured), audience and expiry are checked, `alg: none` never passes. `exp`, `nbf`
 * and `iat` allow `clockSkewSeconds` of clock difference, no more: a token issued later than that in
 * the future is refused (jose checks `iat` only against a maximum age).
 * Claims: `client_id` (the tenant) and `hub_role` (`app` | `ops`); Supabase's `role: authenticated`
 * without `hub_role` means `app`.
 */
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: SecurityConfig['jwt']) {
    if (config.secret) this.secret = new TextEncoder().encode(config.secret);
    if (config.jwksUrl)
      this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }

  get configured(): boolean {
    return !!(this.secret || this.jwks);
  }

  async verify(token: string): Promise<Principal> {
    if (!this.configured)
      throw new GatewayError('GW_UNAUTHENTICATED', 'Bearer tokens are not accepted by this gateway');
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      const options = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['exp'],
        clockTolerance: this.config.clockSkewSeconds,
      };
      if (alg === 'HS256' && this.secret)
        payload = (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
      else if (alg && ASYMMETRIC.includes(alg) && this.jwks)
        payload = (await jwtVerify(token, this.jwks, { ...options, algorithms: ASYMMETRIC })).payload;
      else
        throw new GatewayError('GW_UNAUTHENTICATED', `Tokens signed with ${String(alg).slice(0, 16)} are not accepted`);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError('GW_UNAUTHENTICATED', reasonOf(err));
    }
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + this.config.clockSkewSeconds) {
      throw new GatewayError('GW_UNAUTHENTICATED', 'The token was issued in the future (iat)');
    }
    return this.principalOf(payload);
  }

  private principalOf(payload: JWTPayload): Principal {
    const rawRole = claim(payload, 'hub_role') ?? (payload.role === 'authenticated' ? 'app' : undefined);
    if (typeof rawRole !== 'string' || !EXTERNAL_ROLES.has(rawRole as Role)) {
      throw new GatewayError('GW_FORBIDDEN', 'The token carries no role this gateway grants (hub_role: app or ops)');
    }
    const role = rawRole as Role;
    const client = claim(payload, 'client_id');
    // Shape only: a tenant without rows sees nothing, and writes for an unknown client fail its foreign keys.
    if (client !== undefined && (typeof client !== 'string' || !CLIENT_ID.test(client)))
      throw new GatewayError('GW_FORBIDDEN', 'The token names no valid client');
    if (role === 'app' && client === undefined)
      throw new GatewayError('GW_FORBIDDEN', 'An app token must name its client (client_id)');
    return {
      clientId: (client as string | undefined) ?? '',
      role,
      subject: `jwt:${String(payload.sub ?? 'unknown').slice(0, 100)}`,
    };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `The token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The token algorithm is not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'No key matches the token';
  return 'The token is invalid';
}
