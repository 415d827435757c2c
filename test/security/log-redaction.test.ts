import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { redactText, redactUrl } from '../../src/security/log-redaction';
import { startTestApp, TestApp } from '../support/test-app';
import { JWT_ENV, opsToken } from './tokens';

/**
 * Credentials never reach the log, whatever carries them: a query string (`?api_key=`, `?token=`,
 * `?access_token=` …, refused requests included), credential headers, URLs inside messages and errors.
 */
let t: TestApp;
let server: Awaited<ReturnType<typeof buildApp>>['server'];
const lines: string[] = [];
let jwt: string;
const SIGNATURE = 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=';

beforeAll(async () => {
  t = await startTestApp(JWT_ENV);
  jwt = await opsToken('log-reader');
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  ({ server } = await buildApp({ config: { ...t.config, logLevel: 'info' }, db: t.db, logStream: sink }));
  await server.ready();
});
afterAll(async () => {
  await server.close();
  await t.close();
});

const leaks = (text: string) =>
  [t.apiKey, jwt, SIGNATURE, jwt.split('.')[2], 's3cr3t-pw'].filter((secret) => text.includes(secret));
const logged = () => lines.join('\n');
const R = '[REDACTED]';

describe('request URLs', () => {
  it('credentials in the query string are redacted in the request log, refused requests included', async () => {
    const key = encodeURIComponent(t.apiKey);
    const requests: Array<{ method: 'GET' | 'POST'; url: string; status: number; shown: string }> = [
      {
        method: 'POST',
        url: `/api/v1/webhooks/sales-flow?api_key=${key}`,
        status: 401,
        shown: `/api/v1/webhooks/sales-flow?api_key=${R}`,
      },
      {
        method: 'GET',
        url: `/health/integrations/banban?access_token=${jwt}`,
        status: 401,
        shown: `/health/integrations/banban?access_token=${R}`,
      },
      { method: 'GET', url: `/nowhere?token=${key}&page=2`, status: 404, shown: `/nowhere?token=${R}&page=2` },
      {
        method: 'GET',
        url: `/graphql?query=%7B__typename%7D&apiKey=${key}`,
        status: 200,
        shown: `/graphql?query=%7B__typename%7D&apiKey=${R}`,
      },
      {
        method: 'GET',
        url: `/metrics?api%5Fkey=${key}&x-api-key=${key}`,
        status: 401,
        shown: `/metrics?api%5Fkey=${R}&x-api-key=${R}`,
      },
    ];
    for (const r of requests) {
      const payload = r.method === 'POST' ? '{}' : undefined;
      const headers = { 'content-type': 'application/json' };
      const res = await server.inject({ method: r.method, url: r.url, headers, payload });
      expect({ url: r.url, status: res.statusCode }).toEqual({ url: r.url, status: r.status });
    }
    const parsed = lines.map((l) => JSON.parse(l) as { req?: { url?: string } });
    const urls = parsed.flatMap((l) => (l.req?.url ? [l.req.url] : []));
    for (const r of requests) expect(urls).toContain(r.shown);
    expect(leaks(logged())).toEqual([]);
  });
});

describe('headers and other log lines', () => {
  it('credential headers sent with a request do not reach the log', async () => {
    const res = await server.inject({
      method: 'POST',
      url: `/graphql?token=${jwt}`,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${jwt}`,
        'x-api-key': t.apiKey,
        'webhook-signature': SIGNATURE,
      },
      payload: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.statusCode).toBeLessThan(500);
    expect(leaks(logged())).toEqual([]);
  });

  it('any line that carries headers, a URL, an error message or a Bearer value is redacted', () => {
    const before = lines.length;
    const headers = {
      authorization: `Bearer ${jwt}`,
      'x-api-key': t.apiKey,
      'webhook-signature': SIGNATURE,
      accept: 'text/html',
    };
    server.log.info({ headers }, 'headers');
    const nested = {
      req: { headers: { 'x-api-key': t.apiKey } },
      delivery: { headers: { authorization: `Bearer ${jwt}` } },
    };
    server.log.info(nested, 'nested headers');
    const failed = Object.assign(new Error(`GET https://erp.example.com/api/sales?access_token=${jwt} failed`), {
      url: `https://erp.example.com/api/sales?access_token=${jwt}`,
      cause: new Error(`connect to https://erp.example.com/?token=${t.apiKey} refused`),
    });
    server.log.warn({ err: failed }, 'source failed');
    const source = {
      url: `https://erp.example.com/export?key=${t.apiKey}`,
      target: 'postgres://etl:s3cr3t-pw@db.example.com/erp',
    };
    server.log.info(source, 'extract');
    server.log.info(`calling https://etl:s3cr3t-pw@db.example.com/erp?token=${t.apiKey} with Bearer ${jwt}`);
    const written = lines.slice(before);
    expect(written).toHaveLength(5);
    expect(leaks(written.join('\n'))).toEqual([]);
    const shown = { authorization: R, 'x-api-key': R, 'webhook-signature': R, accept: 'text/html' };
    expect(JSON.parse(written[0]).headers).toEqual(shown);
    const cause = `connect to https://erp.example.com/?token=${R} refused`;
    expect(JSON.parse(written[2]).err).toMatchObject({
      message: `GET https://erp.example.com/api/sales?access_token=${R} failed: ${cause}`,
      url: `https://erp.example.com/api/sales?access_token=${R}`,
    });
    const extract = {
      url: `https://erp.example.com/export?key=${R}`,
      target: `postgres://etl:${R}@db.example.com/erp`,
    };
    expect(JSON.parse(written[3])).toMatchObject(extract);
  });
});

describe('redactUrl / redactText', () => {
  it('keep everything that is not a credential', () => {
    const query = '/graphql?query=%7Bsales%7D&variables=%7B%7D&operationName=Q';
    expect(redactUrl(query)).toBe(query);
    expect(redactUrl('/api/v1/webhooks/sales-flow')).toBe('/api/v1/webhooks/sales-flow');
    const mixed = '/x?Access-Token=a&ID_TOKEN=b&sig=c&password=d#frag';
    expect(redactUrl(mixed)).toBe(`/x?Access-Token=${R}&ID_TOKEN=${R}&sig=${R}&password=${R}#frag`);
    expect(redactText('sale V-1 of banban: 2 items, total=309.70')).toBe('sale V-1 of banban: 2 items, total=309.70');
  });
});
