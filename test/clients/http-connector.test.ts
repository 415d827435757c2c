import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { z } from 'zod';
import { connect, ConnectorError, defineConnector, defineQuery } from '../../src/connectors/http.connector';

/** A real HTTP server standing in for a client's ERP. */
let server: Server;
let baseUrl: string;
const seen: Array<{ url: string; auth?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/stock-levels?location=LJ-001'))
      return res.end(JSON.stringify([{ sku: 'MEIA-ESP-UN', quantity: 7 }]));
    if (req.url?.startsWith('/stock-levels?location=LJ-BAD'))
      return res.end(JSON.stringify([{ sku: 'MEIA-ESP-UN', quantity: '7' }]));
    res.statusCode = 503;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const erp = defineConnector({
  name: 'test-erp',
  queries: {
    stockLevels: defineQuery({
      method: 'GET',
      path: (p: { locationCode: string }) => `/stock-levels?location=${encodeURIComponent(p.locationCode)}`,
      response: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int() })),
    }),
  },
});

describe('HTTP connector', () => {
  it('calls the ERP with its headers and returns the checked, typed answer', async () => {
    const api = connect(erp, { baseUrl, headers: { authorization: 'Bearer erp-token' } });
    await expect(api.stockLevels({ locationCode: 'LJ-001' })).resolves.toEqual([{ sku: 'MEIA-ESP-UN', quantity: 7 }]);
    expect(seen.at(-1)).toEqual({ url: '/stock-levels?location=LJ-001', auth: 'Bearer erp-token' });
  });

  it('refuses an answer of the wrong shape and reports HTTP failures, naming connector and query', async () => {
    const api = connect(erp, { baseUrl });
    await expect(api.stockLevels({ locationCode: 'LJ-BAD' })).rejects.toThrow(
      /test-erp\.stockLevels: unexpected response: 0\.quantity/,
    );
    const failed = await api.stockLevels({ locationCode: 'LJ-DOWN' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConnectorError);
    expect((failed as ConnectorError).status).toBe(503);
  });
});
