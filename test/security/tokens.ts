import { SignJWT } from 'jose';

export const JWT_SECRET = 'test-supabase-jwt-secret-with-at-least-32-chars';
export const ISSUER = 'https://project.supabase.co/auth/v1';
export const AUDIENCE = 'authenticated';
export const JWT_ENV = { JWT_SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };

export interface TokenOptions {
  sub?: string;
  client?: string;
  role?: string;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  secret?: string;
  claims?: Record<string, unknown>;
}

/** An HS256 token as Supabase would sign it (role authenticated, our claims on top). */
export function token(o: TokenOptions = {}): Promise<string> {
  const payload: Record<string, unknown> = { role: 'authenticated', ...o.claims };
  if (o.client !== undefined) payload.client_id = o.client;
  if (o.role !== undefined) payload.hub_role = o.role;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.sub ?? 'user-1')
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? '10m')
    .sign(new TextEncoder().encode(o.secret ?? JWT_SECRET));
}

export const appToken = (client: string, sub = `${client}-user`) => token({ client, role: 'app', sub });
export const opsToken = (sub = 'ops-user', client?: string) => token({ role: 'ops', sub, client });

/** `alg: none`: an unsigned token with whatever claims an attacker likes. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload = { exp: Math.floor(Date.now() / 1000) + 600, iss: ISSUER, aud: AUDIENCE, ...claims };
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

export const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
