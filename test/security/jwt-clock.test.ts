import { SignJWT } from 'jose';
import { JwtVerifier } from '../../src/auth/jwt';
import { loadConfig } from '../../src/config';
import { GatewayError } from '../../src/errors/gateway-error';
import { graphql } from '../support/http';
import { Feed, listen, liveClient } from '../support/live';
import { startTestApp, TestApp } from '../support/test-app';
import { AUDIENCE, bearer, ISSUER, JWT_ENV, JWT_SECRET } from './tokens';

/**
 * JWT times: `iat` and `nbf` may lie at most JWT_CLOCK_SKEW_SECONDS (default 60) in the future, and
 * `exp` is honoured with the same tolerance. A token issued a day from now is refused.
 */
const now = () => Math.floor(Date.now() / 1000);

function signed(times: { iat?: number; nbf?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ client_id: 'banban', hub_role: 'app' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('clock-user')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(times.exp ?? now() + 600);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
  return jwt.sign(new TextEncoder().encode(JWT_SECRET));
}

async function verdict(verifier: JwtVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return 'accepted';
  } catch (err) {
    return err instanceof GatewayError ? `${err.code}: ${err.message}` : String(err);
  }
}

const verifierWith = (env: Record<string, string> = {}) =>
  new JwtVerifier(loadConfig({ ...JWT_ENV, ...env }).security.jwt);
const IN_THE_FUTURE = /^GW_UNAUTHENTICATED: The token was issued in the future/;

describe('JwtVerifier: clock skew', () => {
  const CASES: Array<[string, () => { iat?: number; nbf?: number; exp?: number }, string | RegExp]> = [
    ['iat now', () => ({ iat: now() }), 'accepted'],
    ['iat a day in the future', () => ({ iat: now() + 86_400 }), IN_THE_FUTURE],
    ['iat 2 minutes in the future', () => ({ iat: now() + 120 }), IN_THE_FUTURE],
    ['iat 30 s in the future (within the skew)', () => ({ iat: now() + 30 }), 'accepted'],
    ['nbf 30 s in the future (within the skew)', () => ({ nbf: now() + 30 }), 'accepted'],
    ['nbf 2 minutes in the future', () => ({ nbf: now() + 120 }), /^GW_UNAUTHENTICATED: The token's nbf claim/],
    ['exp 30 s ago (within the skew)', () => ({ exp: now() - 30 }), 'accepted'],
    ['exp 2 minutes ago', () => ({ exp: now() - 120 }), 'GW_UNAUTHENTICATED: The token has expired'],
  ];

  it.each(CASES)('%s', async (_name, times, expected) => {
    expect(await verdict(verifierWith(), await signed(times()))).toMatch(expected);
  });

  it('JWT_CLOCK_SKEW_SECONDS=0: 5 s in the future is already too far; the setting is bounded', async () => {
    const strict = verifierWith({ JWT_CLOCK_SKEW_SECONDS: '0' });
    expect(await verdict(strict, await signed({ iat: now() + 5 }))).toMatch(IN_THE_FUTURE);
    expect(await verdict(strict, await signed({ iat: now() }))).toBe('accepted');
    expect(loadConfig({}).security.jwt.clockSkewSeconds).toBe(60);
    expect(() => loadConfig({ JWT_CLOCK_SKEW_SECONDS: '3600' })).toThrow(/JWT_CLOCK_SKEW_SECONDS/);
  });
});

describe('a token issued a day in the future, on every transport', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(JWT_ENV);
  });
  afterAll(() => t.close());

  it('GraphQL over HTTP: 401 GW_UNAUTHENTICATED, nothing read', async () => {
    const query = '{ sales(first: 1) { edges { node { id } } } }';
    const res = await graphql(t, query, {}, bearer(await signed({ iat: now() + 86_400 })));
    const verdict = [res.status, res.body.errors?.[0]?.extensions?.code, res.body.data ?? null];
    expect(verdict).toEqual([401, 'GW_UNAUTHENTICATED', null]);
    const fine = await graphql(t, query, {}, bearer(await signed({ iat: now() })));
    expect(fine.body.errors).toBeUndefined();
  });

  it('graphql-ws: the connection is refused (4401)', async () => {
    const client = liveClient(await listen(t.app), bearer(await signed({ iat: now() + 86_400 })));
    try {
      const end = await new Feed(client, 'subscription { webhookProcessed(client: "banban") { id } }').end();
      expect(end.failure).toMatchObject({ code: 4401 });
    } finally {
      await client.dispose();
    }
  });

  it('the ops endpoints: 401', async () => {
    const headers = bearer(await signed({ iat: now() + 86_400 }));
    const res = await t.app.inject({ method: 'GET', url: '/health/integrations/banban', headers });
    expect(res.statusCode).toBe(401);
  });
});
