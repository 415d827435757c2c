import { ConfigError, loadConfig } from '../../src/config';

describe('security configuration', () => {
  it('parses proxies, origins and JWT settings; refuses malformed ones at start', () => {
    const c = loadConfig({
      TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1',
      CORS_ORIGINS: 'https://app.example.com',
      JWT_SECRET: 'x'.repeat(32),
      JWT_ISSUER: 'https://p.supabase.co/auth/v1',
    });
    expect(c.security.trustedProxies).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(c.security.corsOrigins).toEqual(['https://app.example.com']);
    const jwt = {
      secret: 'x'.repeat(32),
      issuer: 'https://p.supabase.co/auth/v1',
      audience: 'authenticated',
      jwksUrl: undefined,
    };
    expect(c.security.jwt).toEqual({ ...jwt, clockSkewSeconds: 60 });
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }).security.metricsToken).toBe('a'.repeat(32));
    expect(loadConfig({}).security.metricsToken).toBeUndefined();
    const badTokens = [
      { METRICS_TOKEN: 'too-short' },
      { METRICS_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` },
      { METRICS_TOKEN: `${'a'.repeat(40)}\n` },
    ];
    for (const env of [
      { TRUSTED_PROXIES: '10.0.0.0/40' },
      { CORS_ORIGINS: '*' },
      { JWT_SECRET: 'short' },
      { JWT_JWKS_URL: 'not a url' },
      ...badTokens,
    ]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
    }
  });

  it('rate limits are on by default, off by default under NODE_ENV=test, and can be forced either way', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).security.rateLimit.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).security.rateLimit.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).security.rateLimit.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', RATE_LIMIT_ENABLED: 'true' }).security.rateLimit.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' }).security.rateLimit.enabled).toBe(false);
  });
});
