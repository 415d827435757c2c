import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokenCircuitError } from 'cockatiel';
import { SourceRecord } from '../../src/connectors/connector';
import { connectorPolicy } from '../../src/connectors/connector-policy';
import { retryAfterMs } from '../../src/connectors/http.connector';
import { createConnector } from '../../src/connectors/registry';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { createTestMysql, describeWithMysql, TestMysql } from '../support/mysql';

const TZ = 'America/Sao_Paulo';
/** 2026-11-28 in São Paulo: 03:00Z to 03:00Z next day. */
const DAY = { from: new Date('2026-11-28T03:00:00Z'), to: new Date('2026-11-29T03:00:00Z'), timezone: TZ };

async function collect(it: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('Postgres connector (server-side cursor)', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase({ migrate: false });
    await pg.db.query(
      `create table erp_orders (id text primary key, placed_at timestamptz not null, amount numeric(14,2) not null)`,
    );
    await pg.db.query(`insert into erp_orders
      select 'O-' || lpad(g::text, 5, '0'), '2026-11-28T02:00:00Z'::timestamptz + (g || ' minutes')::interval,
             (g * 1.5)::numeric(14,2)
        from generate_series(1, 2000) g`);
  });
  afterAll(() => pg.drop());

  it('streams the window in batches, in order, with exact decimals', async () => {
    const c = createConnector({
      kind: 'postgres',
      url: pg.url,
      batchSize: 100,
      streams: {
        orders: { sql: 'select id, amount from erp_orders where placed_at >= $1 and placed_at < $2 order by id' },
      },
    });
    await c.testConnection();
    const rows = await collect(c.extract('orders', DAY));
    await c.close();
    // 02:00Z + g minutes inside [03:00Z, next 03:00Z): g = 60..1499
    expect(rows).toHaveLength(1440);
    expect(rows[0]).toEqual({ id: 'O-00060', amount: '90.00' });
    expect(c.describe()).toEqual({
      kind: 'postgres',
      target: expect.not.stringContaining('postgres@'),
      streams: ['orders'],
    });
  });

  it('refuses an unknown stream', async () => {
    const c = createConnector({ kind: 'postgres', url: pg.url, streams: {} });
    await expect(collect(c.extract('nope', DAY))).rejects.toThrow('no stream "nope"');
    await c.close();
  });
});

describeWithMysql('MySQL/MariaDB connector', () => {
  let my: TestMysql;
  beforeAll(async () => {
    my = await createTestMysql();
    await my.conn.query(
      `create table vendas (id_venda varchar(20) primary key, dt_venda datetime not null,
       vl_total decimal(14,2) not null)`,
    );
    await my.conn.query(
      `insert into vendas values ('A', '2026-11-27 23:59:59', 1.00), ('B', '2026-11-28 00:00:00', 2.50),
                                ('C', '2026-11-28 23:59:59', 3.00), ('D', '2026-11-29 00:00:00', 4.00)`,
    );
  });
  afterAll(() => my.drop());

  it(
    'binds the window in the source timezone and streams rows ' +
      'with DATETIMEs as local strings and decimals as strings',
    async () => {
      const c = createConnector({
        kind: 'mysql',
        url: my.url,
        streams: { vendas: { sql: 'select * from vendas where dt_venda >= ? and dt_venda < ? order by id_venda' } },
      });
      await c.testConnection();
      const rows = await collect(c.extract('vendas', DAY));
      await c.close();
      expect(rows).toEqual([
        { id_venda: 'B', dt_venda: '2026-11-28 00:00:00', vl_total: '2.50' },
        { id_venda: 'C', dt_venda: '2026-11-28 23:59:59', vl_total: '3.00' },
      ]);
    },
  );
});

describe('HTTP JSON connector', () => {
  let server: Server;
  let base: string;
  const calls: Array<{ url: string; auth?: string }> = [];
  let rateLimited = false;
  beforeAll(async () => {
    const all = Array.from({ length: 25 }, (_, i) => ({
      id: `S-${i}`,
      at: new Date(DAY.from.getTime() + i * 60_000).toISOString(),
    }));
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      calls.push({ url: req.url!, auth: req.headers.authorization });
      if (req.headers.authorization !== 'Bearer s3cret') return res.writeHead(401).end();
      if (url.searchParams.get('cursor') === '10' && !rateLimited) {
        rateLimited = true;
        return res.writeHead(429, { 'retry-after': '1' }).end();
      }
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const items = all.slice(from, from + limit);
      const next = from + limit < all.length ? String(from + limit) : null;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, next_cursor: next }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('follows the cursor with auth headers and waits out a 429 as Retry-After asks', async () => {
    const c = createConnector({
      kind: 'http',
      baseUrl: base,
      headers: { authorization: 'Bearer s3cret' },
      pageSize: 10,
      streams: { vendas: { path: '/api/vendas' } },
    });
    const started = Date.now();
    const rows = await collect(c.extract('vendas', DAY));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 25 }, (_, i) => `S-${i}`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(calls.filter((x) => x.url.includes('cursor=10'))).toHaveLength(2);
    expect(calls.every((x) => x.auth === 'Bearer s3cret' && x.url.includes('from=2026-11-28T03%3A00%3A00.000Z'))).toBe(
      true,
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeNull();
  });

  it('a refused request (401) is not retried', async () => {
    const before = calls.length;
    const c = createConnector({ kind: 'http', baseUrl: base, streams: { vendas: { path: '/api/vendas' } } });
    await expect(collect(c.extract('vendas', DAY))).rejects.toThrow('HTTP 401');
    expect(calls.length - before).toBe(1);
  });
});

describe('file connector (CSV and JSONL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-etl-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams CSV rows in the window (local times in the client timezone, offsets honoured)', async () => {
    writeFileSync(
      join(dir, 'vendas.csv'),
      'id_venda;dt_venda;vl_total\nA;2026-11-27 23:59:59;1.00\nB;2026-11-28 00:00:00;2.50\n' +
        'C;2026-11-29T02:59:59Z;3.00\nD;2026-11-29 00:00:00;4.00\n',
    );
    const c = createConnector({
      kind: 'file',
      dir,
      streams: { vendas: { file: 'vendas.csv', format: 'csv', timeField: 'dt_venda', delimiter: ';' } },
    });
    await c.testConnection();
    expect(await collect(c.extract('vendas', DAY))).toEqual([
      { id_venda: 'B', dt_venda: '2026-11-28 00:00:00', vl_total: '2.50' },
      { id_venda: 'C', dt_venda: '2026-11-29T02:59:59Z', vl_total: '3.00' },
    ]);
  });

  it('streams JSONL records and names the line that is not JSON', async () => {
    writeFileSync(
      join(dir, 'dev.jsonl'),
      '{"id":"R-1","at":"2026-11-28T10:00:00-03:00"}\n\n{"id":"R-2","at":"2026-11-30T10:00:00-03:00"}\n',
    );
    const c = createConnector({
      kind: 'file',
      dir,
      streams: {
        dev: { file: 'dev.jsonl', format: 'jsonl', timeField: 'at' },
        bad: { file: 'bad.jsonl', format: 'jsonl' },
      },
    });
    expect(await collect(c.extract('dev', DAY))).toEqual([{ id: 'R-1', at: '2026-11-28T10:00:00-03:00' }]);
    writeFileSync(join(dir, 'bad.jsonl'), '{"id":1}\n{oops\n');
    await expect(collect(c.extract('bad', DAY))).rejects.toThrow('bad.jsonl line 2 is not JSON');
  });
});

describe('connector policy (a PolicyRegistry ResiliencePolicy)', () => {
  it('retries transient failures with backoff, then opens the breaker (the registry policy)', async () => {
    const policy = connectorPolicy({
      retries: 3,
      initialDelayMs: 1,
      maxDelayMs: 5,
      breakerThreshold: 2,
      halfOpenAfterMs: 60_000,
      timeoutMs: 1000,
    });
    let attempts = 0;
    const flaky = () => {
      attempts++;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    await expect(policy.execute(flaky)).rejects.toThrow('ECONNREFUSED');
    expect(attempts).toBe(4); // first try + 3 retries
    // The breaker counts calls (after their retries): the second failed call opens it.
    await expect(policy.execute(flaky)).rejects.toThrow('ECONNREFUSED');
    expect(attempts).toBe(8);
    await expect(policy.execute(flaky)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(attempts).toBe(8);
  });

  it('does not retry what is not transient', async () => {
    let attempts = 0;
    await expect(
      connectorPolicy({ initialDelayMs: 1 }).execute(() => {
        attempts++;
        throw new Error('syntax error');
      }),
    ).rejects.toThrow('syntax error');
    expect(attempts).toBe(1);
  });
});
