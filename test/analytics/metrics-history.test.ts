import { randomUUID } from 'node:crypto';
import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;

const SERIES = `query ($flow: String!, $from: DateTime!, $to: DateTime!, $bucket: MetricsBucket!, $action: String) {
  integrationMetricsSeries(flow: $flow, from: $from, to: $to, bucket: $bucket, action: $action) {
    bucketStart count errors p50Ms p95Ms p99Ms maxMs } }`;

async function series(vars: Record<string, unknown>) {
  const r = await graphql(t, SERIES, vars);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.integrationMetricsSeries as Array<{
    bucketStart: string;
    count: number;
    errors: number;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
  }>;
}

/** Audit rows as the pipeline writes them, at a chosen time and duration. */
async function events(
  receivedAt: string,
  durations: number[],
  status = 'processed',
  action = 'register_sale',
): Promise<void> {
  for (const d of durations) {
    const id = randomUUID();
    await t.db.query(
      `insert into webhook_events (id, client_id, flow, action, idempotency_key, payload_hash, raw_body, status,
                                  http_status, received_at, processed_at, duration_ms)
       values ($1, 'banban', 'sales', $2, $3, 'x', '{}', $4, 200, $5, $5, $6)`,
      [id, action, `m:${id}`, status, receivedAt, d],
    );
  }
}

beforeAll(async () => {
  t = await startTestApp({ METRICS_AGGREGATE_INTERVAL_SECONDS: '0' });
});

afterAll(async () => {
  await t.close();
});

describe('integration metrics history (aggregated off the ingest path)', () => {
  it('per minute and hour: count, errors and exact latency percentiles; empty buckets are zeros', async () => {
    await events(
      '2026-11-01T10:05:30Z',
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    await events('2026-11-01T10:07:10Z', [5, 7], 'rejected', 'register_payment');
    await events('2026-11-01T10:07:20Z', [3], 'duplicate'); // a replay: not a delivery
    await t.services.metricsHistory.aggregate(new Date('2026-11-01T10:30:00Z'));

    const minutes = await series({
      flow: 'sales',
      from: '2026-11-01T10:04:00Z',
      to: '2026-11-01T10:09:00Z',
      bucket: 'MINUTE',
    });
    expect(minutes.map((p) => [p.bucketStart, p.count, p.errors])).toEqual([
      ['2026-11-01T10:04:00.000Z', 0, 0],
      ['2026-11-01T10:05:00.000Z', 100, 0],
      ['2026-11-01T10:06:00.000Z', 0, 0],
      ['2026-11-01T10:07:00.000Z', 2, 2],
      ['2026-11-01T10:08:00.000Z', 0, 0],
    ]);
    // percentile_cont over 1..100 ms
    expect(minutes[1]).toMatchObject({ p50Ms: 50.5, p95Ms: 95.05, p99Ms: 99.01, maxMs: 100 });

    const hours = await series({
      flow: 'sales',
      from: '2026-11-01T10:00:00Z',
      to: '2026-11-01T11:00:00Z',
      bucket: 'HOUR',
    });
    expect(hours).toEqual([
      {
        bucketStart: '2026-11-01T10:00:00.000Z',
        count: 102,
        errors: 2,
        p50Ms: 49.5,
        p95Ms: 94.95,
        p99Ms: 98.99,
        maxMs: 100,
      },
    ]);

    const payments = await series({
      flow: 'sales',
      action: 'register_payment',
      from: '2026-11-01T10:00:00Z',
      to: '2026-11-01T11:00:00Z',
      bucket: 'HOUR',
    });
    expect(payments[0]).toMatchObject({ count: 2, errors: 2, maxMs: 7 });
  });

  it('recomputes recent buckets on the next run, so late commits are counted', async () => {
    await events('2026-11-01T10:29:00Z', [10]);
    await t.services.metricsHistory.aggregate(new Date('2026-11-01T10:31:00Z'));
    await events('2026-11-01T10:29:30Z', [20]); // committed after the run that covered its minute
    await t.services.metricsHistory.aggregate(new Date('2026-11-01T10:32:00Z'));
    const [p] = await series({
      flow: 'sales',
      from: '2026-11-01T10:29:00Z',
      to: '2026-11-01T10:30:00Z',
      bucket: 'MINUTE',
    });
    expect(p).toMatchObject({ count: 2, maxMs: 20 });
  });

  it('real deliveries through the pipeline are counted, refused ones as errors', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    expect((await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).status).toBe(200);
    expect(
      (await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'V-BAD', total: '1.00' })))
        .status,
    ).toBe(422);
    expect(
      (await postWebhook(t, 'sales-flow', fixture('sales-flow', 'register_sale'))).headers['idempotent-replayed'],
    ).toBe('true');
    await t.services.metricsHistory.aggregate();
    const points = await series({
      flow: 'sales',
      from,
      to: new Date(Date.now() + 60_000).toISOString(),
      bucket: 'MINUTE',
    });
    expect(points.reduce((n, p) => n + p.count, 0)).toBe(2);
    expect(points.reduce((n, p) => n + p.errors, 0)).toBe(1);
  });

  it('prunes buckets past their retention (minute 7 days, hour 400 days by default)', async () => {
    await t.db.query(
      `insert into integration_metrics (client_id, flow, action, bucket, bucket_start, count, errors)
       values ('banban', 'sales', '*', 'minute', now() - interval '8 days', 1, 0),
              ('banban', 'sales', '*', 'hour', now() - interval '8 days', 1, 0),
              ('banban', 'sales', '*', 'hour', now() - interval '401 days', 1, 0)`,
    );
    await t.services.metricsHistory.aggregate();
    const { rows } = await t.db.query(
      `select bucket from integration_metrics
        where bucket_start < now() - interval '7 days' and flow = 'sales' and action = '*'
              and bucket_start > '2026-11-02'
           or bucket_start < now() - interval '400 days'
        order by bucket`,
    );
    expect(rows).toEqual([{ bucket: 'hour' }]);
  });

  it('refuses a range with too many buckets', async () => {
    const r = await graphql(t, SERIES, {
      flow: 'sales',
      from: '2026-01-01T00:00:00Z',
      to: '2026-11-01T00:00:00Z',
      bucket: 'MINUTE',
    });
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
  });
});

describe('dailySales (business day in the client timezone)', () => {
  const DAILY = `query ($store: String) { dailySales(from: "2026-11-27", to: "2026-11-29", store: $store) {
    day store count cancelled gross discounts returns net } }`;

  beforeAll(async () => {
    // fixture: gross 339.70 (299.90 + 2 × 19.90), discounts 30.00, net 309.70. The fixture sale itself
    // (V-2026-000123, 2026-11-28 at LJ-001) was delivered by the metrics test above.
    const post = async (id: string, soldAt: string, store = 'LJ-001') =>
      expect(
        (
          await postWebhook(
            t,
            'sales-flow',
            variant('sales-flow', 'register_sale', { sale_id: id, sold_at: soldAt, store_code: store }),
          )
        ).status,
      ).toBe(200);
    await post('D-1', '2026-11-28T14:32:10-03:00');
    await post('D-2', '2026-11-29T01:30:00Z'); // still the 28th in São Paulo
    await post('D-3', '2026-11-28T10:00:00-03:00');
    await post('D-4', '2026-11-28T11:00:00-03:00', 'LJ-002');
    await post('D-5', '2026-11-29T12:00:00-03:00');
    await post('D-6', '2026-11-26T23:59:00-03:00'); // before the range
    expect(
      (await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: 'D-3' }))).status,
    ).toBe(200);
  });

  it('per store: count, cancelled, gross, discounts, returns and net per day, empty days as zeros', async () => {
    const r = await graphql(t, DAILY, { store: 'lj-001' });
    expect(r.body.data.dailySales).toEqual([
      {
        day: '2026-11-27',
        store: 'LJ-001',
        count: 0,
        cancelled: 0,
        gross: '0.00',
        discounts: '0.00',
        returns: '0.00',
        net: '0.00',
      },
      {
        day: '2026-11-28',
        store: 'LJ-001',
        count: 3,
        cancelled: 1,
        gross: '1019.10',
        discounts: '90.00',
        returns: '0.00',
        net: '929.10',
      },
      {
        day: '2026-11-29',
        store: 'LJ-001',
        count: 1,
        cancelled: 0,
        gross: '339.70',
        discounts: '30.00',
        returns: '0.00',
        net: '309.70',
      },
    ]);
  });

  it('all stores together when no store is given', async () => {
    const r = await graphql(t, DAILY);
    expect(r.body.data.dailySales[1]).toEqual({
      day: '2026-11-28',
      store: null,
      count: 4,
      cancelled: 1,
      gross: '1358.80',
      discounts: '120.00',
      returns: '0.00',
      net: '1238.80',
    });
  });

  it('refuses an inverted range', async () => {
    const r = await graphql(
      t,
      `
        {
          dailySales(from: "2026-11-29", to: "2026-11-27") {
            day
          }
        }
      `,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
  });
});
