import { variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { afterBackgroundWork } from '../support/quiet';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
const SALES = 60;

function saleBody(i: number) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return variant('sales-flow', 'register_sale', {
    sale_id: `Q-${String(i).padStart(3, '0')}`,
    store_code: i % 2 ? 'LJ-001' : 'LJ-002',
    sold_at: `2026-10-${day}T${String(10 + (i % 10)).padStart(2, '0')}:00:00-03:00`,
    customer: { customer_id: `C-${i % 7}`, name: `Cliente ${i % 7}` },
  });
}

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < SALES; i++) await postWebhook(t, 'sales-flow', saleBody(i));
  for (let i = 0; i < SALES; i += 3) {
    await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_payment', {
        sale_id: `Q-${String(i).padStart(3, '0')}`,
        payment_id: `QP-${i}`,
        amount: '100.00',
      }),
    );
  }
});
afterAll(() => t.close());

const PAGE = `query Page($first: Int, $after: String, $filter: SalesFilterInput) {
  sales(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id soldAt total status store { code kind } customer { id name }
      items { lineNo sku quantity unitPrice discount lineTotal product { sku description } }
      payments { id amount method } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('GraphQL reads', () => {
  it('sale(id) returns the sale with its nested fields', async () => {
    const res = await graphql(
      t,
      `
        {
          sale(id: "Q-000") {
            id
            total
            paidAmount
            status
            store {
              code
            }
            customer {
              id
            }
            items {
              sku
              lineTotal
            }
            payments {
              id
              amount
            }
          }
        }
      `,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.sale).toEqual({
      id: 'Q-000',
      total: '309.70',
      paidAmount: '100.00',
      status: 'OPEN',
      store: { code: 'LJ-002' },
      customer: { id: 'C-0' },
      items: [
        { sku: 'TENIS-RUN-38-PRETO', lineTotal: '269.90' },
        { sku: 'MEIA-ESP-UN', lineTotal: '39.80' },
      ],
      payments: [{ id: 'QP-0', amount: '100.00' }],
    });
  });

  it('an unknown sale is null, not an error', async () => {
    const res = await graphql(
      t,
      `
        {
          sale(id: "nope") {
            id
          }
        }
      `,
    );
    expect(res.body).toEqual({ data: { sale: null } });
  });

  it('sales(first, after) walks every sale exactly once, newest first', async () => {
    const seen: string[] = [];
    const times: string[] = [];
    let after: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof graphql>> = await graphql(t, PAGE, { first: 25, after });
      expect(res.body.errors).toBeUndefined();
      const conn = res.body.data.sales;
      seen.push(...conn.edges.map((e: any) => e.node.id));
      times.push(...conn.edges.map((e: any) => e.node.soldAt));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(SALES);
    expect(new Set(seen).size).toBe(SALES);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by store, customer, status and time', async () => {
    const res = await graphql(t, PAGE, {
      first: 200,
      filter: { storeCode: 'LJ-001', status: 'OPEN', from: '2026-10-01T00:00:00Z', to: '2026-10-15T00:00:00Z' },
    });
    const nodes = res.body.data.sales.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      expect(n.store.code).toBe('LJ-001');
      expect(n.status).toBe('OPEN');
      expect(n.soldAt >= '2026-10-01' && n.soldAt < '2026-10-15').toBe(true);
    }
  });

  it('customer(id) lists the customer’s sales', async () => {
    const res = await graphql(
      t,
      `
        {
          customer(id: "C-3") {
            id
            name
            sales(first: 100) {
              edges {
                node {
                  id
                  customer {
                    id
                  }
                }
              }
            }
          }
        }
      `,
    );
    const c = res.body.data.customer;
    expect(c.name).toBe('Cliente 3');
    expect(c.sales.edges.length).toBe(Array.from({ length: SALES }, (_, i) => i).filter((i) => i % 7 === 3).length);
    expect(c.sales.edges.every((e: any) => e.node.customer.id === 'C-3')).toBe(true);
  });

  it('webhookEvents lists the audit trail with filters', async () => {
    const res = await graphql(
      t,
      `
        {
          webhookEvents(first: 5, filter: { action: "register_payment" }) {
            edges {
              node {
                action
                status
                httpStatus
                flow
                durationMs
                receivedAt
              }
            }
            pageInfo {
              hasNextPage
            }
          }
        }
      `,
    );
    const edges = res.body.data.webhookEvents.edges;
    expect(edges).toHaveLength(5);
    expect(
      edges.every(
        (e: any) => e.node.action === 'register_payment' && e.node.status === 'PROCESSED' && e.node.flow === 'sales',
      ),
    ).toBe(true);
    expect(res.body.data.webhookEvents.pageInfo.hasNextPage).toBe(true);
  });

  it('a bad cursor or page size is a coded error, not a 500', async () => {
    const bad = await graphql(t, PAGE, { first: 5, after: 'not-a-cursor' });
    expect(bad.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
    const big = await graphql(t, PAGE, { first: 5000 });
    expect(big.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
  });

  it('without credentials, business queries are refused', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ sale(id: "Q-000") { id } }' }),
    });
    expect(res.json().errors[0].extensions.code).toBe('GW_UNAUTHENTICATED');
    expect(res.json().data?.sale ?? null).toBeNull();
  });

  it('a GET query works too', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ sale(id: "Q-001") { id } }')}`,
      headers: { 'x-api-key': t.apiKey, 'apollo-require-preflight': 'true' },
    });
    expect(res.json()).toEqual({ data: { sale: { id: 'Q-001' } } });
  });
});

describe('DataLoader bounds', () => {
  async function queriesFor(first: number): Promise<number> {
    await afterBackgroundWork(t);
    const before = t.db.queryCount;
    const res = await graphql(t, PAGE, { first });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.sales.edges).toHaveLength(first);
    return t.db.queryCount - before;
  }

  it(
    'a page of 50 sales with items, products, payments, ' + 'stores and customers costs a fixed number of queries',
    async () => {
      const fifty = await queriesFor(50);
      const five = await queriesFor(5);
      // auth (1) + page (1) + items, payments, customers, stores, products (1 each)
      expect(fifty).toBeLessThanOrEqual(7);
      expect(fifty).toBe(five);
    },
  );
});
