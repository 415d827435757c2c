import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { fingerprint, ledgerMismatches, stockAt } from '../support/ledger-state';
import { afterBackgroundWork } from '../support/quiet';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
afterEach(async () => {
  expect(await ledgerMismatches(t.db)).toEqual([]);
});

const FLOW = 'returns-flow';
const sale = (id: string, patch: Record<string, unknown> = {}) =>
  variant('sales-flow', 'register_sale', { sale_id: id, ...patch });
const ret = (id: string, saleId: string, items: unknown[], patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'register_return', { return_id: id, sale_id: saleId, items, ...patch });
const refund = (id: string, returnId: string, amount: string) =>
  variant(FLOW, 'process_refund', { refund_id: id, return_id: returnId, amount });

async function refused(body: unknown, status: number, code: string, headers: Record<string, string> = {}) {
  const before = await fingerprint(t.db);
  const res = await postWebhook(t, FLOW, body, headers);
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(await fingerprint(t.db)).toEqual(before);
  return res.body.error;
}

async function ok(flow: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await postWebhook(t, flow, body, headers);
  expect(res.body.error).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.result;
}

describe('the two fixtures through REST', () => {
  it(
    'a return before its sale is 409 GW_PREDECESSOR_MISSING naming the sale, ' +
      'and a refund before its return names the return',
    async () => {
      expect((await refused(fixture(FLOW, 'register_return'), 409, 'GW_PREDECESSOR_MISSING')).details).toEqual({
        missing: { sale_id: 'V-2026-000123' },
      });
      expect((await refused(fixture(FLOW, 'process_refund'), 409, 'GW_PREDECESSOR_MISSING')).details).toEqual({
        missing: { return_id: 'DV-2026-0042' },
      });
    },
  );

  it(
    'register_return, once the sale exists, ' + 'values the goods as sold and puts them back into stock at the store',
    async () => {
      await ok('sales-flow', fixture('sales-flow', 'register_sale'));
      expect(await stockAt(t.db, 'LJ-001', 'MEIA-ESP-UN')).toBe(-2);
      const result = await ok(FLOW, fixture(FLOW, 'register_return'));
      expect(result).toEqual({
        id: 'DV-2026-0042',
        saleId: 'V-2026-000123',
        storeCode: 'LJ-001',
        returnedAt: '2026-12-01T13:00:00.000Z',
        value: '19.90',
        refundedAmount: '0.00',
        refundableAmount: '19.90',
        items: [{ sku: 'MEIA-ESP-UN', quantity: 1, reason: 'wrong_size', value: '19.90' }],
        sale: { id: 'V-2026-000123', status: 'OPEN', total: '309.70', netTotal: '289.80' },
      });
      expect(await stockAt(t.db, 'LJ-001', 'MEIA-ESP-UN')).toBe(-1);
      const { rows } = await t.db.query(
        `select kind, quantity_delta, location_code from inventory_movements where source_type = 'return'
       and source_id = 'DV-2026-0042'`,
      );
      expect(rows).toEqual([{ kind: 'return', quantity_delta: 1, location_code: 'LJ-001' }]);
    },
  );

  it('process_refund refunds up to the value of the return', async () => {
    const result = await ok(FLOW, fixture(FLOW, 'process_refund'));
    expect(result).toMatchObject({
      id: 'RF-2026-0042',
      returnId: 'DV-2026-0042',
      method: 'pix',
      amount: '19.90',
      refundedAt: '2026-12-01T13:20:00.000Z',
      return: { refundedAmount: '19.90', refundableAmount: '0.00' },
    });
  });

  it(
    'an exact redelivery is replayed by the pipeline; ' + 'the same content under another delivery id changes nothing',
    async () => {
      const before = await fingerprint(t.db);
      for (const action of ['register_return', 'process_refund']) {
        const replay = await postWebhook(t, FLOW, fixture(FLOW, action));
        expect(replay.headers['idempotent-replayed']).toBe('true');
        const again = await postWebhook(t, FLOW, fixture(FLOW, action), { 'webhook-id': `again-${action}` });
        expect(again.status).toBe(200);
        expect(again.headers['idempotent-replayed']).toBeUndefined();
      }
      expect(await fingerprint(t.db)).toEqual(before);
    },
  );

  it('GraphQL shows the return with items and refunds, and the sale with its returns and net value', async () => {
    const res = await graphql(
      t,
      `
        query {
          return(id: "DV-2026-0042") {
            id
            value
            refundedAmount
            store {
              code
              kind
            }
            items {
              lineNo
              sku
              quantity
              reason
              value
              product {
                sku
              }
            }
            refunds {
              id
              amount
              method
              return {
                id
              }
            }
            sale {
              id
              netTotal
              returns {
                id
              }
            }
          }
          returns(saleId: "V-2026-000123") {
            id
          }
          sale(id: "V-2026-000123") {
            total
            netTotal
            returns {
              id
              value
              items {
                sku
                quantity
              }
            }
          }
        }
      `,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      return: {
        id: 'DV-2026-0042',
        value: '19.90',
        refundedAmount: '19.90',
        store: { code: 'LJ-001', kind: 'STORE' },
        items: [
          {
            lineNo: 1,
            sku: 'MEIA-ESP-UN',
            quantity: 1,
            reason: 'wrong_size',
            value: '19.90',
            product: { sku: 'MEIA-ESP-UN' },
          },
        ],
        refunds: [{ id: 'RF-2026-0042', amount: '19.90', method: 'pix', return: { id: 'DV-2026-0042' } }],
        sale: { id: 'V-2026-000123', netTotal: '289.80', returns: [{ id: 'DV-2026-0042' }] },
      },
      returns: [{ id: 'DV-2026-0042' }],
      sale: {
        total: '309.70',
        netTotal: '289.80',
        returns: [{ id: 'DV-2026-0042', value: '19.90', items: [{ sku: 'MEIA-ESP-UN', quantity: 1 }] }],
      },
    });
    const unknown = await graphql(
      t,
      `
        {
          return(id: "DV-NONE") {
            id
          }
          returns(saleId: "V-NONE") {
            id
          }
        }
      `,
    );
    expect(unknown.body.data).toEqual({ return: null, returns: [] });
  });
});

describe('the two mutations through GraphQL', () => {
  it('registerReturn and processRefund', async () => {
    await ok('sales-flow', sale('S-GQL'));
    const r = await graphql(
      t,
      `
        mutation ($input: RegisterReturnInput!) {
          registerReturn(input: $input) {
            id
            value
            storeCode
            items {
              sku
              value
            }
          }
        }
      `,
      {
        input: {
          id: 'R-GQL',
          saleId: 'S-GQL',
          storeCode: 'lj-009',
          returnedAt: '2026-12-01T10:00:00-03:00',
          items: [{ sku: 'tenis-run-38-preto', quantity: 1 }],
        },
      },
    );
    expect(r.body.data.registerReturn).toEqual({
      id: 'R-GQL',
      value: '269.90',
      storeCode: 'LJ-009',
      items: [{ sku: 'TENIS-RUN-38-PRETO', value: '269.90' }],
    });
    expect(await stockAt(t.db, 'LJ-009', 'TENIS-RUN-38-PRETO')).toBe(1); // back at the store that took it
    const f = await graphql(
      t,
      `
        mutation ($input: ProcessRefundInput!) {
          processRefund(input: $input) {
            amount
            return {
              refundableAmount
            }
          }
        }
      `,
      {
        input: { id: 'F-GQL', returnId: 'R-GQL', method: 'pix', amount: '100.00', refundedAt: '2026-12-01T11:00:00Z' },
      },
    );
    expect(f.body.data.processRefund).toEqual({ amount: '100.00', return: { refundableAmount: '169.90' } });
    const over = await graphql(
      t,
      `
        mutation ($input: ProcessRefundInput!) {
          processRefund(input: $input) {
            amount
          }
        }
      `,
      {
        input: {
          id: 'F-GQL-2',
          returnId: 'R-GQL',
          method: 'pix',
          amount: '169.91',
          refundedAt: '2026-12-01T11:00:00Z',
        },
      },
    );
    expect(over.body.errors?.[0].extensions?.code).toBe('GW_REFUND_EXCEEDS_VALUE');
  });
});

describe('return limits', () => {
  beforeAll(async () => {
    // 1 tênis at 269.90 after discount, 2 meias at 19.90
    await ok('sales-flow', sale('S-LIM', { store_code: 'LJ-LIM' }));
  });

  it('returned quantity per sku never exceeds sold minus already returned (422 with the numbers)', async () => {
    await ok(FLOW, ret('R-LIM-1', 'S-LIM', [{ sku: 'MEIA-ESP-UN', quantity: 1 }], { store_code: 'LJ-LIM' }));
    const error = await refused(
      ret('R-LIM-2', 'S-LIM', [{ sku: 'MEIA-ESP-UN', quantity: 2 }]),
      422,
      'GW_RETURN_EXCEEDS_SOLD',
    );
    expect(error.details.exceeded).toEqual([{ sku: 'MEIA-ESP-UN', requested: 2, sold: 2, already_returned: 1 }]);
    expect(error.issues).toEqual([
      { path: 'items.0.quantity', code: 'exceeds_returnable', message: 'sku MEIA-ESP-UN: at most 1 returnable' },
    ]);
    // the same sku on two lines of one return counts together
    await refused(
      ret('R-LIM-3', 'S-LIM', [
        { sku: 'MEIA-ESP-UN', quantity: 1 },
        { sku: 'MEIA-ESP-UN', quantity: 1 },
      ]),
      422,
      'GW_RETURN_EXCEEDS_SOLD',
    );
    // a sku the sale never had
    expect(
      (await refused(ret('R-LIM-4', 'S-LIM', [{ sku: 'OUTRO', quantity: 1 }]), 422, 'GW_RETURN_EXCEEDS_SOLD')).details
        .exceeded[0],
    ).toMatchObject({ sku: 'OUTRO', sold: 0 });
    await ok(
      FLOW,
      ret(
        'R-LIM-5',
        'S-LIM',
        [
          { sku: 'MEIA-ESP-UN', quantity: 1 },
          { sku: 'TENIS-RUN-38-PRETO', quantity: 1 },
        ],
        { store_code: 'LJ-LIM' },
      ),
    );
    expect(await stockAt(t.db, 'LJ-LIM', 'MEIA-ESP-UN')).toBe(0);
    await refused(ret('R-LIM-6', 'S-LIM', [{ sku: 'TENIS-RUN-38-PRETO', quantity: 1 }]), 422, 'GW_RETURN_EXCEEDS_SOLD');
    const s = await graphql(
      t,
      `
        {
          sale(id: "S-LIM") {
            netTotal
            returns {
              id
              value
            }
          }
        }
      `,
    );
    expect(s.body.data.sale).toEqual({
      netTotal: '0.00',
      returns: [
        { id: 'R-LIM-1', value: '19.90' },
        { id: 'R-LIM-5', value: '289.80' },
      ],
    });
  });

  it('refunds accumulate per return and never exceed its value as sold after discounts', async () => {
    await ok(FLOW, refund('F-LIM-1', 'R-LIM-5', '200.00'));
    const error = await refused(refund('F-LIM-2', 'R-LIM-5', '89.81'), 422, 'GW_REFUND_EXCEEDS_VALUE');
    expect(error.details).toEqual({ return_value: '289.80', refunded: '200.00', remaining: '89.80' });
    const last = await ok(FLOW, refund('F-LIM-3', 'R-LIM-5', '89.80'));
    expect(last.return).toMatchObject({ refundedAmount: '289.80', refundableAmount: '0.00' });
    await refused(refund('F-LIM-4', 'R-LIM-5', '0.01'), 422, 'GW_REFUND_EXCEEDS_VALUE');
    await refused(refund('F-LIM-5', 'R-LIM-1', '0.00'), 400, 'GW_VALIDATION_FAILED');
  });

  it(
    'units are valued at line_total per unit, rounded down cumulatively: ' + 'partial returns add up to the line total',
    async () => {
      // 3 units for 10.00 after discount: 3.33 + 3.33 + 3.34
      await ok(
        'sales-flow',
        sale('S-CENT', {
          items: [{ sku: 'LENCO', quantity: 3, unit_price: '3.34', discount: '0.02' }],
          total: '10.00',
        }),
      );
      const values = [];
      for (const id of ['R-CENT-1', 'R-CENT-2', 'R-CENT-3'])
        values.push((await ok(FLOW, ret(id, 'S-CENT', [{ sku: 'LENCO', quantity: 1 }]))).value);
      expect(values).toEqual(['3.33', '3.33', '3.34']);
      // two lines of the same sku at different prices are valued together: (10.00 + 5.00) / 3 units
      await ok(
        'sales-flow',
        sale('S-MIX', {
          items: [
            { sku: 'LENCO', quantity: 2, unit_price: '5.00' },
            { sku: 'LENCO', quantity: 1, unit_price: '5.00', discount: '0.00' },
          ],
          total: '15.00',
        }),
      );
      expect((await ok(FLOW, ret('R-MIX', 'S-MIX', [{ sku: 'LENCO', quantity: 2 }]))).value).toBe('10.00');
    },
  );

  it('cancelling a sale after a return puts back only what had not come back already', async () => {
    await ok('sales-flow', sale('S-RC', { store_code: 'LJ-RC' }));
    expect(await stockAt(t.db, 'LJ-RC', 'MEIA-ESP-UN')).toBe(-2);
    await ok(
      FLOW,
      ret('R-RC', 'S-RC', [{ sku: 'MEIA-ESP-UN', quantity: 1, reason: 'wrong_size' }], { store_code: 'LJ-RC' }),
    );
    expect(await stockAt(t.db, 'LJ-RC', 'MEIA-ESP-UN')).toBe(-1);
    await ok('sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: 'S-RC' }));
    expect(await stockAt(t.db, 'LJ-RC', 'MEIA-ESP-UN')).toBe(0);
    expect(await stockAt(t.db, 'LJ-RC', 'TENIS-RUN-38-PRETO')).toBe(0);
  });

  it('a return on a cancelled sale is 409 GW_INVALID_STATE', async () => {
    await ok('sales-flow', sale('S-CANC', { store_code: 'LJ-CANC' }));
    await ok('sales-flow', variant('sales-flow', 'register_cancellation', { sale_id: 'S-CANC' }));
    expect(
      (await refused(ret('R-CANC', 'S-CANC', [{ sku: 'MEIA-ESP-UN', quantity: 1 }]), 409, 'GW_INVALID_STATE')).details,
    ).toEqual({ sale_id: 'S-CANC', sale_status: 'cancelled' });
  });

  it("another client's sale is unknown here: 409 GW_PREDECESSOR_MISSING", async () => {
    await t.db.query(`insert into clients (id, name) values ('outra', 'Outra Loja')`);
    await t.db.query(`insert into locations (client_id, code, kind) values ('outra', 'LJ-001', 'store')`);
    await t.db.query(
      `insert into sales (client_id, id, store_code, channel, sold_at, total, status, payload_hash)
       values ('outra', 'S-OUTRA', 'LJ-001', 'store', now(), 10, 'open', 'x')`,
    );
    await refused(ret('R-OUTRA', 'S-OUTRA', [{ sku: 'MEIA-ESP-UN', quantity: 1 }]), 409, 'GW_PREDECESSOR_MISSING');
  });

  it('ids are business ids: different content under a known return or refund id is 409', async () => {
    await refused(
      ret('R-LIM-1', 'S-LIM', [{ sku: 'MEIA-ESP-UN', quantity: 1, reason: 'defect' }], { store_code: 'LJ-LIM' }),
      409,
      'GW_BUSINESS_ID_CONFLICT',
      { 'webhook-id': 'r-conflict' },
    );
    await refused(refund('F-LIM-1', 'R-LIM-5', '1.00'), 409, 'GW_BUSINESS_ID_CONFLICT', { 'webhook-id': 'f-conflict' });
  });

  it('malformed payloads are 400 with field paths', async () => {
    expect((await refused(ret('R-BAD', 'S-LIM', []), 400, 'GW_VALIDATION_FAILED')).issues[0].path).toBe('data.items');
    expect(
      (
        await refused(
          ret('R-BAD', 'S-LIM', [{ sku: 'MEIA-ESP-UN', quantity: 1, colour: 'red' }]),
          400,
          'GW_VALIDATION_FAILED',
        )
      ).issues[0].path,
    ).toBe('data.items.0');
    expect((await refused(refund('F-BAD', 'R-LIM-1', '1.999'), 400, 'GW_VALIDATION_FAILED')).issues[0].path).toBe(
      'data.amount',
    );
  });
});

describe('reads are batched', () => {
  it('sales with returns, items and refunds cost the same SQL for 2 or 6 sales', async () => {
    for (let i = 0; i < 6; i++) {
      // The newest sales (minutes ago): facts from the future are refused (FACT_MAX_FUTURE_SKEW_SECONDS).
      await ok('sales-flow', sale(`S-N${i}`, { sold_at: new Date(Date.now() - (6 - i) * 60_000).toISOString() }));
      await ok(FLOW, ret(`R-N${i}`, `S-N${i}`, [{ sku: 'MEIA-ESP-UN', quantity: 1 }]));
      await ok(FLOW, refund(`F-N${i}`, `R-N${i}`, '1.00'));
    }
    const query = `query($first: Int) { sales(first: $first) { edges { node { id netTotal
      returns { id store { code } items { sku product { sku } } refunds { amount } } } } } }`;
    const cost = async (first: number) => {
      await afterBackgroundWork(t);
      const before = t.db.queryCount;
      const res = await graphql(t, query, { first });
      expect(res.body.errors).toBeUndefined();
      expect(
        res.body.data.sales.edges.every((e: any) => e.node.returns.length === 1 && e.node.netTotal === '289.80'),
      ).toBe(true);
      return t.db.queryCount - before;
    };
    const small = await cost(2);
    expect(await cost(6)).toBe(small);
    expect(small).toBeLessThanOrEqual(8);
  });
});

describe('concurrency', () => {
  it('concurrent returns of one sale never exceed what was sold', async () => {
    await ok('sales-flow', sale('S-RACE-R', { store_code: 'LJ-RACE-R' })); // 2 meias
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        postWebhook(
          t,
          FLOW,
          ret(`R-RACE-${i}`, 'S-RACE-R', [{ sku: 'MEIA-ESP-UN', quantity: 1 }], { store_code: 'LJ-RACE-R' }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 422 && r.body.error.code === 'GW_RETURN_EXCEEDS_SOLD')).toHaveLength(6);
    expect(await stockAt(t.db, 'LJ-RACE-R', 'MEIA-ESP-UN')).toBe(0);
  });

  it('concurrent refunds of one return never exceed its value', async () => {
    await ok('sales-flow', sale('S-RACE-F'));
    await ok(FLOW, ret('R-RACE-F2', 'S-RACE-F', [{ sku: 'MEIA-ESP-UN', quantity: 1 }])); // worth 19.90
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postWebhook(t, FLOW, refund(`F-RACE-${i}`, 'R-RACE-F2', '5.00'))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const { rows } = await t.db.query(`select refunded_amount::text as r from returns where id = 'R-RACE-F2'`);
    expect(rows[0].r).toBe('15.00');
  });
});
