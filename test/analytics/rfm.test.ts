import { rfmSelectSql } from '../../src/analytics/rfm.sql';
import { afterBackgroundWork } from '../support/quiet';
import { variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { opsData, opsGraphql } from '../support/ops';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A hand-checkable client as of 2026-11-28 (America/Sao_Paulo), five customers so NTILE(5) gives each
 * one score per dimension:
 *
 * | customer | purchases standing        | recency | F | M      | R F M | FM | segment         |
 * | C1       | 5 × 100.00, last 11-27    | 1       | 5 | 500.00 | 4 5 5 | 5  | Champions       |
 * | C2       | 1 × 10.00 at 11-28 22:30  | 0       | 1 | 10.00  | 5 1 1 | 1  | New Customers   |
 * | C3       | 4 × 50.00, last 10-29     | 30      | 4 | 200.00 | 3 4 3 | 4  | Loyal Customers |
 * | C4       | 3 × 100.00, last 09-29    | 60      | 3 | 300.00 | 2 3 4 | 4  | At Risk         |
 * | C5       | 2 × 40.00, last 08-30     | 90      | 2 | 80.00  | 1 2 2 | 2  | Lost            |
 *
 * C2 also has a 1000.00 sale cancelled on 11-21 (not counted) and its one purchase is at 01:30 UTC on
 * the 29th, which is still the 28th in São Paulo. C5 buys again on the 29th (after the as-of date).
 */
const PURCHASES: Array<[customer: string, soldAt: string, price: string, store?: string]> = [
  ['C1', '2026-11-27T12:00:00-03:00', '100.00', 'LJ-002'],
  ['C1', '2026-11-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-10-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-09-01T12:00:00-03:00', '100.00'],
  ['C1', '2026-08-01T12:00:00-03:00', '100.00'],
  ['C2', '2026-11-29T01:30:00Z', '10.00'],
  ['C3', '2026-10-29T12:00:00-03:00', '50.00'],
  ['C3', '2026-10-01T12:00:00-03:00', '50.00'],
  ['C3', '2026-09-01T12:00:00-03:00', '50.00'],
  ['C3', '2026-08-01T12:00:00-03:00', '50.00'],
  ['C4', '2026-09-29T12:00:00-03:00', '100.00'],
  ['C4', '2026-09-01T12:00:00-03:00', '100.00'],
  ['C4', '2026-08-01T12:00:00-03:00', '100.00'],
  ['C5', '2026-08-30T12:00:00-03:00', '40.00'],
  ['C5', '2026-08-01T12:00:00-03:00', '40.00'],
  ['C5', '2026-11-29T12:00:00-03:00', '500.00'],
];

let t: TestApp;
let seq = 0;

async function sale(customer: string, soldAt: string, price: string, store = 'LJ-001'): Promise<string> {
  const id = `V-RFM-${++seq}`;
  const r = await postWebhook(
    t,
    'sales-flow',
    variant('sales-flow', 'register_sale', {
      sale_id: id,
      store_code: store,
      sold_at: soldAt,
      customer: { customer_id: customer },
      items: [{ sku: 'MEIA-ESP-UN', quantity: 1, unit_price: price, discount: '0.00' }],
      total: price,
    }),
  );
  expect(r.status).toBe(200);
  return id;
}

const SNAPSHOT = `query ($segment: String!, $asOf: LocalDate) {
  rfmCustomers(segment: $segment, asOf: $asOf, first: 10) {
    edges { node { customerId asOf recencyDays frequency monetary rScore fScore mScore segment } }
    pageInfo { hasNextPage }
  } }`;

beforeAll(async () => {
  t = await startTestApp();
  for (const [customer, soldAt, price, store] of PURCHASES) await sale(customer, soldAt, price, store);
  const cancelled = await sale('C2', '2026-11-20T12:00:00-03:00', '1000.00');
  const c = await postWebhook(
    t,
    'sales-flow',
    variant('sales-flow', 'register_cancellation', { sale_id: cancelled, cancelled_at: '2026-11-21T10:00:00-03:00' }),
  );
  expect(c.status).toBe(200);
  await afterBackgroundWork(t);
});

afterAll(async () => {
  await t.close();
});

describe('RFM snapshot (one SQL pass per client)', () => {
  const expected = {
    C1: { recencyDays: 1, frequency: 5, monetary: '500.00', rScore: 4, fScore: 5, mScore: 5, segment: 'Champions' },
    C2: { recencyDays: 0, frequency: 1, monetary: '10.00', rScore: 5, fScore: 1, mScore: 1, segment: 'New Customers' },
    C3: {
      recencyDays: 30,
      frequency: 4,
      monetary: '200.00',
      rScore: 3,
      fScore: 4,
      mScore: 3,
      segment: 'Loyal Customers',
    },
    C4: { recencyDays: 60, frequency: 3, monetary: '300.00', rScore: 2, fScore: 3, mScore: 4, segment: 'At Risk' },
    C5: { recencyDays: 90, frequency: 2, monetary: '80.00', rScore: 1, fScore: 2, mScore: 2, segment: 'Lost' },
  };

  beforeAll(async () => {
    const data = await opsData(
      t,
      `mutation { rebuildRfm(client: "banban", asOf: "2026-11-28") { clientId asOf customers durationMs } }`,
    );
    expect(data.rebuildRfm).toMatchObject({ clientId: 'banban', asOf: '2026-11-28', customers: 5 });
    expect(data.rebuildRfm.durationMs).toBeGreaterThan(0);
  });

  it.each(Object.entries(expected))('scores %s by hand-checked quintiles and segment', async (customer, want) => {
    const r = await graphql(t, SNAPSHOT, { segment: want.segment, asOf: '2026-11-28' });
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.rfmCustomers.edges.map((e: any) => e.node);
    expect(nodes).toEqual([{ customerId: customer, asOf: '2026-11-28', ...want }]);
  });

  it('rfmSegments: count, share and averages per segment; store = the customers who bought there', async () => {
    const all = await graphql(
      t,
      `
        {
          rfmSegments(asOf: "2026-11-28") {
            asOf
            customers
            segments {
              segment
              customers
              share
              avgRecencyDays
              avgFrequency
              avgMonetary
            }
          }
        }
      `,
    );
    expect(all.body.data.rfmSegments.customers).toBe(5);
    expect(all.body.data.rfmSegments.segments).toContainEqual({
      segment: 'Champions',
      customers: 1,
      share: 0.2,
      avgRecencyDays: '1.00',
      avgFrequency: '5.00',
      avgMonetary: '500.00',
    });
    expect(all.body.data.rfmSegments.segments.map((s: any) => s.segment).sort()).toEqual([
      'At Risk',
      'Champions',
      'Lost',
      'Loyal Customers',
      'New Customers',
    ]);

    const store = await graphql(
      t,
      `
        {
          rfmSegments(asOf: "2026-11-28", store: "lj-002") {
            store
            customers
            segments {
              segment
              customers
              share
            }
          }
        }
      `,
    );
    expect(store.body.data.rfmSegments).toEqual({
      store: 'LJ-002',
      customers: 1,
      segments: [{ segment: 'Champions', customers: 1, share: 1 }],
    });
  });

  it(
    'rfmMovement: customers per (from, to) segment pair between two snapshots; ' + 'new customers come from null',
    async () => {
      await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-10-15") { customers } }`);
      const r = await graphql(
        t,
        `
          {
            rfmMovement(from: "2026-10-15", to: "2026-11-28") {
              fromSegment
              toSegment
              customers
            }
          }
        `,
      );
      const moves = r.body.data.rfmMovement as Array<{
        fromSegment: string | null;
        toSegment: string | null;
        customers: number;
      }>;
      expect(moves.reduce((n, m) => n + m.customers, 0)).toBe(5);
      expect(moves).toContainEqual({ fromSegment: null, toSegment: 'New Customers', customers: 1 });
      expect(moves.filter((m) => m.fromSegment !== null).reduce((n, m) => n + m.customers, 0)).toBe(4);
    },
  );

  it('rfmCustomers pages with a cursor (highest spend first)', async () => {
    // As of 08-01, C1, C3, C4 and C5 bought once that day (100, 50, 100, 40): R and F tie, so NTILE's
    // customer-id tie-break decides: C4 (R3, FM4) and C5 (R4, FM3) are both Loyal Customers.
    await opsData(t, `mutation { rebuildRfm(client: "banban", asOf: "2026-08-01") { customers } }`);
    const page = `query ($a: String) {
      rfmCustomers(segment: "Loyal Customers", asOf: "2026-08-01", first: 1, after: $a) {
      edges { node { customerId monetary } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await graphql(t, page)).body.data.rfmCustomers;
    expect(first.edges).toEqual([{ node: { customerId: 'C4', monetary: '100.00' } }]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await graphql(t, page, { a: first.pageInfo.endCursor })).body.data.rfmCustomers;
    expect(second.edges).toEqual([{ node: { customerId: 'C5', monetary: '40.00' } }]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('an unknown snapshot date is a 404 code, not an empty answer', async () => {
    const r = await graphql(
      t,
      `
        {
          rfmSegments(asOf: "2020-01-01") {
            customers
          }
        }
      `,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
  });
});

describe('RFM kept current after commit', () => {
  it('re-scores the client when a sale arrives, as a rebuild as of today would, without touching ingest', async () => {
    const today = (await opsData(t, `mutation { rebuildRfm(client: "banban") { asOf customers } }`)).rebuildRfm;
    expect(today.customers).toBe(5);
    const before = (
      await graphql(
        t,
        `
          {
            customerRfm(customerId: "C2") {
              asOf
              frequency
              monetary
              segment
            }
          }
        `,
      )
    ).body.data.customerRfm;
    expect(before).toMatchObject({ asOf: today.asOf, frequency: 1, monetary: '10.00' });

    await sale('C2', new Date().toISOString(), '990.00');
    await afterBackgroundWork(t);
    const after = (
      await graphql(
        t,
        `
          {
            customerRfm(customerId: "C2") {
              asOf
              recencyDays
              frequency
              monetary
              rScore
              fScore
              mScore
              segment
            }
          }
        `,
      )
    ).body.data.customerRfm;
    // the most recent purchase (R 5) and the largest spend of the client (M 5)
    expect(after).toMatchObject({
      asOf: today.asOf,
      recencyDays: 0,
      frequency: 2,
      monetary: '1000.00',
      rScore: 5,
      mScore: 5,
    });
    expect(after).toMatchObject((await rebuildScores(t))[`C2`]);
  });

  it('a cancellation re-scores the customer too', async () => {
    const id = await sale('C3', new Date().toISOString(), '70.00');
    await afterBackgroundWork(t);
    expect(
      (
        await graphql(
          t,
          `
            {
              customerRfm(customerId: "C3") {
                frequency
                monetary
              }
            }
          `,
        )
      ).body.data.customerRfm,
    ).toEqual({ frequency: 5, monetary: '270.00' });
    const c = await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_cancellation', { sale_id: id, cancelled_at: new Date().toISOString() }),
    );
    expect(c.status).toBe(200);
    await afterBackgroundWork(t);
    expect(
      (
        await graphql(
          t,
          `
            {
              customerRfm(customerId: "C3") {
                frequency
                monetary
              }
            }
          `,
        )
      ).body.data.customerRfm,
    ).toEqual({ frequency: 4, monetary: '200.00' });
  });

  it('a new customer is scored on their first sale, and loses the current scores when it is cancelled', async () => {
    const id = await sale('C9', new Date().toISOString(), '25.00');
    await afterBackgroundWork(t);
    expect(
      (
        await graphql(
          t,
          `
            {
              customerRfm(customerId: "C9") {
                frequency
                monetary
              }
            }
          `,
        )
      ).body.data.customerRfm,
    ).toEqual({ frequency: 1, monetary: '25.00' });
    await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_cancellation', { sale_id: id, cancelled_at: new Date().toISOString() }),
    );
    await afterBackgroundWork(t);
    expect(
      (
        await graphql(
          t,
          `
            {
              customerRfm(customerId: "C9") {
                frequency
              }
            }
          `,
        )
      ).body.data.customerRfm,
    ).toBeNull();
  });

  it('without a date, rfmSegments and rfmCustomers read the current scores', async () => {
    const expected = await rebuildScores(t);
    const segments = await graphql(
      t,
      `
        {
          rfmSegments {
            asOf
            customers
            segments {
              segment
              customers
            }
          }
        }
      `,
    );
    const today = segments.body.data.rfmSegments;
    expect(today.customers).toBe(Object.keys(expected).length);
    for (const { segment, customers } of today.segments) {
      expect(customers).toBe(Object.values(expected).filter((e) => e.segment === segment).length);
      const listed = (await graphql(t, SNAPSHOT, { segment })).body.data.rfmCustomers.edges.map((e: any) => e.node);
      const members = Object.keys(expected).filter((c) => expected[c].segment === segment);
      expect(listed.map((n: any) => n.customerId).sort()).toEqual(members.sort());
      for (const n of listed) expect(n).toMatchObject({ asOf: today.asOf, ...expected[n.customerId] });
    }
  });

  it('rebuildRfm is ops-only: an app key is refused', async () => {
    const r = await graphql(
      t,
      `
        mutation {
          rebuildRfm(client: "banban") {
            customers
          }
        }
      `,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });

  it('ops may rebuild any client; an unknown one is a 404 code', async () => {
    const r = await opsGraphql(t, `mutation { rebuildRfm(client: "nobody", asOf: "2026-11-28") { customers } }`);
    expect(r.errors?.[0].extensions?.code).toBe('GW_NOT_FOUND');
  });

  it('an app key cannot read another client', async () => {
    const r = await graphql(
      t,
      `
        {
          rfmSegments(client: "other") {
            customers
          }
        }
      `,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });
});

/** What a full rebuild as of today scores (the rebuild's own statement, nothing stored), per customer. */
async function rebuildScores(app: TestApp): Promise<Record<string, Record<string, unknown>>> {
  const today = await app.services.rfm.today(app.db, 'banban');
  const { rows } = await app.db.query(rfmSelectSql(), ['banban', today, 'America/Sao_Paulo']);
  return Object.fromEntries(rows.map((r) => [r.customer_id, scoresOf(r)]));
}

/** A scored row (rebuild statement, snapshot) as customerRfm answers it. */
const scoresOf = (r: Record<string, any>) => ({
  recencyDays: r.recency_days,
  frequency: r.frequency,
  monetary: r.monetary,
  rScore: r.r_score,
  fScore: r.f_score,
  mScore: r.m_score,
  segment: r.segment,
});

describe('RFM of a new client, right after every sale (no rebuild, no ETL)', () => {
  let f: TestApp;
  beforeAll(async () => {
    f = await startTestApp();
  });
  afterAll(() => f.close());

  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  let n = 0;
  async function buy(customer: string, at: string, price: string): Promise<string> {
    const id = `V-NEW-${++n}`;
    const body = variant('sales-flow', 'register_sale', {
      sale_id: id,
      sold_at: at,
      customer: { customer_id: customer },
      items: [{ sku: 'MEIA-ESP-UN', quantity: 1, unit_price: price, discount: '0.00' }],
      total: price,
    });
    expect((await postWebhook(f, 'sales-flow', body)).status).toBe(200);
    await afterBackgroundWork(f);
    return id;
  }

  /** Every customer's customerRfm equals what a rebuild as of today computes, and no one else has scores. */
  async function expectCurrentEqualsRebuild(): Promise<Record<string, Record<string, unknown>>> {
    const expected = await rebuildScores(f);
    const customers = [...new Set([...Object.keys(expected), ...seen])];
    const fields = 'recencyDays frequency monetary rScore fScore mScore segment';
    const query = `{ ${customers.map((c, i) => `c${i}: customerRfm(customerId: "${c}") { ${fields} }`).join(' ')} }`;
    const { body } = await graphql(f, query);
    expect(body.errors).toBeUndefined();
    const current = Object.fromEntries(customers.map((c, i) => [c, body.data[`c${i}`]]));
    expect(current).toEqual(Object.fromEntries(customers.map((c) => [c, expected[c] ?? null])));
    return current;
  }
  const seen = new Set<string>();

  it("the best customer, 600.00 yesterday, arriving after the client's first sale, is not Lost", async () => {
    await buy('C-FIRST', daysAgo(20), '50.00');
    seen.add('C-FIRST');
    await buy('C-BEST', daysAgo(1), '600.00');
    seen.add('C-BEST');
    const current = await expectCurrentEqualsRebuild();
    expect(current['C-BEST']).not.toMatchObject({ segment: 'Lost' });
    expect(current['C-BEST']).toMatchObject({ recencyDays: 1, frequency: 1, monetary: '600.00', rScore: 2, mScore: 2 });
  });

  it('customers arriving one by one: after each sale or cancellation, every score equals a rebuild', async () => {
    const steps: Array<[string, number, string]> = [
      ['C-03', 40, '120.00'],
      ['C-04', 3, '35.00'],
      ['C-05', 90, '900.00'],
      ['C-03', 10, '80.00'],
      ['C-06', 0, '15.00'],
      ['C-07', 200, '60.00'],
      ['C-BEST', 2, '450.00'],
      ['C-08', 5, '250.00'],
    ];
    let cancel = '';
    for (const [customer, days, price] of steps) {
      const id = await buy(customer, daysAgo(days), price);
      if (customer === 'C-05') cancel = id;
      seen.add(customer);
      await expectCurrentEqualsRebuild();
    }
    // C-05's only sale is cancelled: C-05 has no score any more, and everyone else moves with it
    const cancelledAt = new Date().toISOString();
    const cancellation = variant('sales-flow', 'register_cancellation', { sale_id: cancel, cancelled_at: cancelledAt });
    const c = await postWebhook(f, 'sales-flow', cancellation);
    expect(c.status).toBe(200);
    await afterBackgroundWork(f);
    const current = await expectCurrentEqualsRebuild();
    expect(current['C-05']).toBeNull();
    expect(current['C-BEST']).toMatchObject({ frequency: 2, monetary: '1050.00', mScore: 5, segment: 'Champions' });
  });

  it('a rebuild as of today stores the same scores the client already had', async () => {
    const before = await rebuildScores(f);
    const run = await opsData(f, `mutation { rebuildRfm(client: "banban") { asOf customers } }`);
    expect(run.rebuildRfm.customers).toBe(Object.keys(before).length);
    const { rows } = await f.db.query(
      `select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment from rfm_snapshots
        where client_id = 'banban' and as_of = $1`,
      [run.rebuildRfm.asOf],
    );
    expect(Object.fromEntries(rows.map((r) => [r.customer_id, scoresOf(r)]))).toEqual(before);
    await expectCurrentEqualsRebuild();
  });
});
