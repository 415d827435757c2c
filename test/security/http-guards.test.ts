import { startTestApp, TestApp } from '../support/test-app';

/** Helmet's headers on ops pages; CORS closed by default, open only to configured origins. */
let closed: TestApp;
let open: TestApp;
beforeAll(async () => {
  [closed, open] = await Promise.all([
    startTestApp(),
    startTestApp({ CORS_ORIGINS: 'https://app.axon.example, https://ops.axon.example' }),
  ]);
});
afterAll(() => Promise.all([closed.close(), open.close()]));

const preflight = (t: TestApp, origin: string, url = '/graphql') =>
  t.app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    },
  });

describe('helmet on ops pages', () => {
  it.each(['/health/live', '/health/ready', '/health/integrations/banban', '/metrics', '/ops/'])(
    '%s carries the security headers',
    async (url) => {
      const res = await closed.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toBeDefined();
    },
  );

  it('the webhook API is not given a page CSP (JSON only)', async () => {
    const res = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/sales-flow',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});

describe('CORS', () => {
  it('is closed by default: no allow-origin for anyone', async () => {
    const res = await preflight(closed, 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await closed.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://app.axon.example' },
    });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins', async () => {
    const ok = await preflight(open, 'https://app.axon.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.axon.example');
    expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
    const evil = await preflight(open, 'https://evil.example');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});
