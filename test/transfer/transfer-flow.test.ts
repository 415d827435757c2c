import { CLIENTS } from '../../src/clients/registry';
import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { fingerprint, ledgerMismatches, seedStock, stockAt } from '../support/ledger-state';
import { afterBackgroundWork } from '../support/quiet';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
afterEach(async () => {
  expect(await ledgerMismatches(t.db)).toEqual([]); // stock always equals the sum of the ledger
});

const FLOW = 'transfer-flow';
const create = (id: string, patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'create_transfer', { transfer_id: id, ...patch });
const ship = (id: string, patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'ship_products', { transfer_id: id, ...patch });
const receive = (id: string, patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'receive_at_store', { transfer_id: id, ...patch });

/** Runs `fn` with banban's settings forbidding negative stock (facts beyond the stock are then refused). */
async function forbiddingNegativeStock<T>(fn: () => Promise<T>): Promise<T> {
  const settings = CLIENTS.banban.settings;
  CLIENTS.banban.settings = { ...settings, allowNegativeStock: false };
  try {
    return await fn();
  } finally {
    CLIENTS.banban.settings = settings;
  }
}

/** Posts a delivery that must be refused with `status`/`code` and must change nothing. */
async function refused(body: unknown, status: number, code: string, headers: Record<string, string> = {}) {
  const before = await fingerprint(t.db);
  const res = await postWebhook(t, FLOW, body, headers);
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(await fingerprint(t.db)).toEqual(before);
  return res.body.error;
}

const TRANSFER_QUERY = `query T($id: ID!) { transfer(id: $id) {
  id status originCode destinationCode createdAt shippedAt receivedAt carrier trackingCode
  origin { code kind } destination { code kind }
  items { lineNo sku quantitySent quantityReceived divergence product { sku } }
  divergences { sku quantitySent quantityReceived divergence }
  history { status occurredAt carrier trackingCode recordedAt } } }`;

describe('the three fixtures through REST', () => {
  it(
    'create_transfer registers the transfer, ' + 'its items and the first history entry, without touching stock',
    async () => {
      const res = await postWebhook(t, FLOW, fixture(FLOW, 'create_transfer'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ok: true,
        action: 'create_transfer',
        result: {
          id: 'TR-2026-0789',
          status: 'CREATED',
          originCode: 'CD-01',
          destinationCode: 'LJ-001',
          createdAt: '2026-12-06T11:00:00.000Z',
          shippedAt: null,
          items: [
            { sku: 'TENIS-RUN-38-PRETO', quantitySent: 20 },
            { sku: 'TENIS-RUN-39-PRETO', quantitySent: 15 },
          ],
        },
      });
      expect(await t.db.query(`select count(*)::int as n from inventory_movements`).then((r) => r.rows[0].n)).toBe(0);
      expect((await t.db.query(`select kind from locations where code = 'CD-01'`)).rows[0].kind).toBe(
        'distribution_center',
      );
    },
  );

  it('ship_products without stock, for a client forbidding negative stock, is 422 listing each shortfall', async () => {
    const error = await forbiddingNegativeStock(() =>
      refused(fixture(FLOW, 'ship_products'), 422, 'GW_INSUFFICIENT_STOCK'),
    );
    expect(error.details.shortfalls).toEqual([
      { location_code: 'CD-01', sku: 'TENIS-RUN-38-PRETO', requested: 20, available: 0 },
      { location_code: 'CD-01', sku: 'TENIS-RUN-39-PRETO', requested: 15, available: 0 },
    ]);
  });

  it('ship_products takes the sent quantities out of the origin and records carrier and tracking code', async () => {
    await seedStock(t.db, [
      { location: 'CD-01', sku: 'TENIS-RUN-38-PRETO', quantity: 30 },
      { location: 'CD-01', sku: 'TENIS-RUN-39-PRETO', quantity: 15 },
    ]);
    const res = await postWebhook(t, FLOW, fixture(FLOW, 'ship_products'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      status: 'SHIPPED',
      shippedAt: '2026-12-06T14:30:00.000Z',
      carrier: 'Transportadora Sul',
      trackingCode: 'TS123456789BR',
    });
    expect(await stockAt(t.db, 'CD-01', 'TENIS-RUN-38-PRETO')).toBe(10);
    expect(await stockAt(t.db, 'CD-01', 'TENIS-RUN-39-PRETO')).toBe(0);
    const { rows } = await t.db.query(
      `select kind, quantity_delta from inventory_movements where source_type = 'transfer'
       and source_id = 'TR-2026-0789' order by sku`,
    );
    expect(rows).toEqual([
      { kind: 'transfer_out', quantity_delta: -20 },
      { kind: 'transfer_out', quantity_delta: -15 },
    ]);
  });

  it('receive_at_store puts what actually arrived into the destination and records the divergence', async () => {
    const res = await postWebhook(t, FLOW, fixture(FLOW, 'receive_at_store'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      status: 'RECEIVED_WITH_DIVERGENCE',
      receivedAt: '2026-12-07T12:05:00.000Z',
      divergences: [{ sku: 'TENIS-RUN-39-PRETO', quantitySent: 15, quantityReceived: 14, divergence: -1 }],
    });
    expect(await stockAt(t.db, 'LJ-001', 'TENIS-RUN-38-PRETO')).toBe(20);
    expect(await stockAt(t.db, 'LJ-001', 'TENIS-RUN-39-PRETO')).toBe(14);
  });

  it('GraphQL shows the transfer with items, divergences and its timestamped tracking history', async () => {
    const res = await graphql(t, TRANSFER_QUERY, { id: 'TR-2026-0789' });
    expect(res.body.errors).toBeUndefined();
    const tr = res.body.data.transfer;
    expect(tr).toMatchObject({
      status: 'RECEIVED_WITH_DIVERGENCE',
      origin: { code: 'CD-01', kind: 'DISTRIBUTION_CENTER' },
      destination: { code: 'LJ-001', kind: 'STORE' },
      items: [
        {
          lineNo: 1,
          sku: 'TENIS-RUN-38-PRETO',
          quantitySent: 20,
          quantityReceived: 20,
          divergence: 0,
          product: { sku: 'TENIS-RUN-38-PRETO' },
        },
        { lineNo: 2, sku: 'TENIS-RUN-39-PRETO', quantitySent: 15, quantityReceived: 14, divergence: -1 },
      ],
    });
    expect(tr.history.map((h: any) => [h.status, h.occurredAt, h.carrier, h.trackingCode])).toEqual([
      ['CREATED', '2026-12-06T11:00:00.000Z', null, null],
      ['SHIPPED', '2026-12-06T14:30:00.000Z', 'Transportadora Sul', 'TS123456789BR'],
      ['RECEIVED_WITH_DIVERGENCE', '2026-12-07T12:05:00.000Z', null, null],
    ]);
    expect(tr.history.every((h: any) => typeof h.recordedAt === 'string')).toBe(true);
  });

  it('an exact redelivery of each fixture is replayed by the pipeline and writes nothing', async () => {
    const before = await fingerprint(t.db);
    for (const action of ['create_transfer', 'ship_products', 'receive_at_store']) {
      const res = await postWebhook(t, FLOW, fixture(FLOW, action));
      expect(res.status).toBe(200);
      expect(res.headers['idempotent-replayed']).toBe('true');
    }
    expect(await fingerprint(t.db)).toEqual(before);
  });
});

describe('the three mutations through GraphQL', () => {
  it('createTransfer → shipTransfer → receiveTransfer, everything arrived: received', async () => {
    await seedStock(t.db, [{ location: 'CD-02', sku: 'BOTA-40', quantity: 5 }]);
    const created = await graphql(
      t,
      `
        mutation ($input: CreateTransferInput!) {
          createTransfer(input: $input) {
            id
            status
            items {
              sku
              quantitySent
            }
          }
        }
      `,
      {
        input: {
          id: 'TR-GQL-1',
          originCode: 'cd-02',
          destinationCode: 'LJ-002',
          createdAt: '2026-12-06T08:00:00-03:00',
          items: [{ sku: 'bota-40', quantity: 3 }],
        },
      },
    );
    expect(created.body.data.createTransfer).toEqual({
      id: 'TR-GQL-1',
      status: 'CREATED',
      items: [{ sku: 'BOTA-40', quantitySent: 3 }],
    });
    const shipped = await graphql(
      t,
      `
        mutation ($input: ShipTransferInput!) {
          shipTransfer(input: $input) {
            status
            carrier
          }
        }
      `,
      {
        input: { transferId: 'TR-GQL-1', shippedAt: '2026-12-06T09:00:00Z', carrier: 'Correios', trackingCode: 'BR1' },
      },
    );
    expect(shipped.body.data.shipTransfer).toEqual({ status: 'SHIPPED', carrier: 'Correios' });
    const received = await graphql(
      t,
      `
        mutation ($input: ReceiveTransferInput!) {
          receiveTransfer(input: $input) {
            status
            divergences {
              sku
            }
          }
        }
      `,
      {
        input: { transferId: 'TR-GQL-1', receivedAt: '2026-12-07T09:00:00Z', items: [{ sku: 'BOTA-40', quantity: 3 }] },
      },
    );
    expect(received.body.data.receiveTransfer).toEqual({ status: 'RECEIVED', divergences: [] });
    expect(await stockAt(t.db, 'CD-02', 'BOTA-40')).toBe(2);
    expect(await stockAt(t.db, 'LJ-002', 'BOTA-40')).toBe(3);
  });

  it('GraphQL refusals carry the same codes as REST', async () => {
    const res = await graphql(
      t,
      `
        mutation ($input: ShipTransferInput!) {
          shipTransfer(input: $input) {
            status
          }
        }
      `,
      {
        input: { transferId: 'TR-GQL-1', shippedAt: '2026-12-06T09:00:00Z', carrier: 'Outra', trackingCode: 'BR2' },
      },
    );
    expect(res.body.errors?.[0].extensions?.code).toBe('GW_INVALID_STATE');
  });
});

describe('the state machine refuses invalid transitions with coded 409s', () => {
  beforeAll(async () => {
    await seedStock(t.db, [
      { location: 'CD-01', sku: 'TENIS-RUN-38-PRETO', quantity: 100 },
      { location: 'CD-01', sku: 'TENIS-RUN-39-PRETO', quantity: 100 },
    ]);
  });

  it('shipping or receiving an unknown transfer is GW_PREDECESSOR_MISSING naming it', async () => {
    expect((await refused(ship('TR-NONE'), 409, 'GW_PREDECESSOR_MISSING')).details).toEqual({
      missing: { transfer_id: 'TR-NONE' },
    });
    expect((await refused(receive('TR-NONE'), 409, 'GW_PREDECESSOR_MISSING')).details).toEqual({
      missing: { transfer_id: 'TR-NONE' },
    });
  });

  it(
    'receiving before shipping is GW_INVALID_STATE saying the shipment is missing; ' + 'it succeeds once shipped',
    async () => {
      await postWebhook(t, FLOW, create('TR-ORDER'));
      const error = await refused(receive('TR-ORDER'), 409, 'GW_INVALID_STATE');
      expect(error.details).toEqual({
        transfer_id: 'TR-ORDER',
        status: 'created',
        missing: { ship_products: 'TR-ORDER' },
      });
      expect((await postWebhook(t, FLOW, ship('TR-ORDER'))).status).toBe(200);
      const retried = await postWebhook(t, FLOW, receive('TR-ORDER'));
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
    },
  );

  it('shipping twice is GW_INVALID_STATE; the same shipment under another delivery id is harmless', async () => {
    await postWebhook(t, FLOW, create('TR-TWICE'));
    expect((await postWebhook(t, FLOW, ship('TR-TWICE'))).status).toBe(200);
    const again = ship('TR-TWICE', { tracking_code: 'OTHER123' });
    expect((await refused(again, 409, 'GW_INVALID_STATE', { 'webhook-id': 'ship-twice-1' })).details).toMatchObject({
      status: 'shipped',
      attempted: 'ship',
    });
    // without headers the business id is the key, so different content is an idempotency-key conflict (also a 409)
    await refused(again, 409, 'GW_IDEMPOTENCY_KEY_REUSED');
    const before = await fingerprint(t.db);
    const same = await postWebhook(t, FLOW, ship('TR-TWICE'), { 'webhook-id': 'ship-twice-2' });
    expect(same.status).toBe(200);
    expect(same.headers['idempotent-replayed']).toBeUndefined();
    expect(await fingerprint(t.db)).toEqual(before);
  });

  it('receiving twice with different quantities is GW_INVALID_STATE; shipping a received transfer too', async () => {
    await postWebhook(t, FLOW, create('TR-RECV2'));
    await postWebhook(t, FLOW, ship('TR-RECV2'));
    expect((await postWebhook(t, FLOW, receive('TR-RECV2'))).status).toBe(200);
    await refused(
      receive('TR-RECV2', { items: [{ sku: 'TENIS-RUN-38-PRETO', quantity: 1 }] }),
      409,
      'GW_INVALID_STATE',
      { 'webhook-id': 'recv-2' },
    );
    await refused(ship('TR-RECV2', { tracking_code: 'NEW' }), 409, 'GW_INVALID_STATE', {
      'webhook-id': 'ship-after-recv',
    });
  });
});

describe('divergences', () => {
  it('a sku that arrived without being sent is recorded with sent 0; a sent sku left out arrived as 0', async () => {
    await seedStock(t.db, [
      { location: 'CD-03', sku: 'A-1', quantity: 5 },
      { location: 'CD-03', sku: 'A-2', quantity: 5 },
    ]);
    await postWebhook(
      t,
      FLOW,
      create('TR-DIV', {
        origin_code: 'CD-03',
        destination_code: 'LJ-003',
        items: [
          { sku: 'A-1', quantity: 2 },
          { sku: 'A-2', quantity: 3 },
        ],
      }),
    );
    await postWebhook(t, FLOW, ship('TR-DIV'));
    const res = await postWebhook(
      t,
      FLOW,
      receive('TR-DIV', {
        items: [
          { sku: 'A-1', quantity: 2 },
          { sku: 'A-9', quantity: 1 },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.result.status).toBe('RECEIVED_WITH_DIVERGENCE');
    expect(res.body.result.divergences).toEqual([
      { sku: 'A-2', quantitySent: 3, quantityReceived: 0, divergence: -3 },
      { sku: 'A-9', quantitySent: 0, quantityReceived: 1, divergence: 1 },
    ]);
    expect(await stockAt(t.db, 'LJ-003', 'A-1')).toBe(2);
    expect(await stockAt(t.db, 'LJ-003', 'A-2')).toBe(0);
    expect(await stockAt(t.db, 'LJ-003', 'A-9')).toBe(1);
    expect(await stockAt(t.db, 'CD-03', 'A-2')).toBe(2);
  });
});

describe('contract and business-rule refusals change nothing', () => {
  it('an unknown field, a missing field, a bad timestamp or a duplicated sku is 400 with field paths', async () => {
    expect((await refused(create('TR-BAD', { extra: 1 }), 400, 'GW_VALIDATION_FAILED')).issues[0].path).toBe('data');
    expect((await refused(ship('TR-BAD', { carrier: undefined }), 400, 'GW_VALIDATION_FAILED')).issues[0].path).toBe(
      'data.carrier',
    );
    expect(
      (await refused(receive('TR-BAD', { received_at: '2026-12-07 09:05' }), 400, 'GW_VALIDATION_FAILED')).issues[0]
        .path,
    ).toBe('data.received_at');
    const dup = await refused(
      create('TR-BAD', {
        items: [
          { sku: 'X', quantity: 1 },
          { sku: 'x', quantity: 2 },
        ],
      }),
      400,
      'GW_VALIDATION_FAILED',
    );
    expect(dup.issues[0].path).toBe('data.items.1.sku');
    expect(
      (await refused(create('TR-BAD', { items: [{ sku: 'X', quantity: 0 }] }), 400, 'GW_VALIDATION_FAILED')).issues[0]
        .path,
    ).toBe('data.items.0.quantity');
  });

  it('a transfer to its own origin is 422', async () => {
    const error = await refused(create('TR-SAME', { destination_code: 'cd-01' }), 422, 'GW_BUSINESS_RULE');
    expect(error.issues[0]).toMatchObject({ path: 'input.destinationCode', code: 'same_as_origin' });
  });

  it('the same transfer id with different content is GW_BUSINESS_ID_CONFLICT under any key', async () => {
    await refused(create('TR-2026-0789', { destination_code: 'LJ-777' }), 409, 'GW_BUSINESS_ID_CONFLICT', {
      'webhook-id': 'conflict-1',
    });
  });
});

describe('transfers(status, first, after)', () => {
  it('pages newest first with cursors and filters by status', async () => {
    const ids = ['TR-P-1', 'TR-P-2', 'TR-P-3', 'TR-P-4', 'TR-P-5'];
    for (const [i, id] of ids.entries()) {
      // The newest transfers (minutes ago): facts from the future are refused (FACT_MAX_FUTURE_SKEW_SECONDS).
      const createdAt = new Date(Date.now() - (ids.length - i) * 60_000).toISOString();
      await postWebhook(t, FLOW, create(id, { created_at: createdAt, destination_code: 'LJ-PAGE' }));
    }
    const query = `query($after: String) { transfers(status: CREATED, first: 2, after: $after) {
      edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await graphql(t, query, { after });
      const conn = res.body.data.transfers;
      seen.push(...conn.edges.map((e: any) => e.node.id));
      expect(conn.edges.every((e: any) => e.node.status === 'CREATED')).toBe(true);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(seen).not.toContain('TR-2026-0789');
    const received = await graphql(
      t,
      `
        {
          transfers(status: RECEIVED_WITH_DIVERGENCE) {
            edges {
              node {
                id
              }
            }
          }
        }
      `,
    );
    expect(received.body.data.transfers.edges.map((e: any) => e.node.id)).toContain('TR-2026-0789');
    const bad = await graphql(
      t,
      `
        {
          transfers(after: "nope") {
            edges {
              cursor
            }
          }
        }
      `,
    );
    expect(bad.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
  });

  it('nested fields are batched: the SQL count does not grow with the page size', async () => {
    const query = `query($first: Int) { transfers(first: $first) { edges { node {
      id origin { code } destination { code } items { sku product { description } }
      divergences { sku } history { status } } } } }`;
    const cost = async (first: number) => {
      await afterBackgroundWork(t);
      const before = t.db.queryCount;
      const res = await graphql(t, query, { first });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.transfers.edges).toHaveLength(first);
      return t.db.queryCount - before;
    };
    const small = await cost(2);
    const large = await cost(8);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(8); // auth + page + items + history + locations + products
  });
});

describe('a shipment is a fact', () => {
  it('goods that left an origin the hub thinks short are recorded: it goes below zero, movements flagged', async () => {
    await seedStock(t.db, [{ location: 'CD-SHORT', sku: 'SHORT-1', quantity: 3 }]);
    const items = [
      { sku: 'SHORT-1', quantity: 5 },
      { sku: 'SHORT-2', quantity: 1 },
    ];
    await postWebhook(t, FLOW, create('TR-SHORT', { origin_code: 'CD-SHORT', destination_code: 'LJ-SHORT', items }));
    const res = await postWebhook(t, FLOW, ship('TR-SHORT'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ status: 'SHIPPED' });
    expect(await stockAt(t.db, 'CD-SHORT', 'SHORT-1')).toBe(-2);
    expect(await stockAt(t.db, 'CD-SHORT', 'SHORT-2')).toBe(-1);
    const { rows } = await t.db.query(
      `select sku, quantity_delta, resulting_quantity, below_zero from inventory_movements
        where source_type = 'transfer' and source_id = 'TR-SHORT' order by sku`,
    );
    expect(rows).toEqual([
      { sku: 'SHORT-1', quantity_delta: -5, resulting_quantity: -2, below_zero: true },
      { sku: 'SHORT-2', quantity_delta: -1, resulting_quantity: -1, below_zero: true },
    ]);
    const ops = await graphql(
      t,
      `
        {
          stockLevels(filter: { locationCode: "CD-SHORT", belowZero: true }) {
            edges {
              node {
                sku
                quantity
              }
            }
          }
        }
      `,
    );
    expect(ops.body.data.stockLevels.edges.map((e: any) => e.node)).toEqual([
      { sku: 'SHORT-1', quantity: -2 },
      { sku: 'SHORT-2', quantity: -1 },
    ]);
    // what arrives is put into the destination as usual
    const received = await postWebhook(t, FLOW, receive('TR-SHORT', { items }));
    expect(received.body.result).toMatchObject({ status: 'RECEIVED' });
    expect(await stockAt(t.db, 'LJ-SHORT', 'SHORT-1')).toBe(5);
  });
});

describe('concurrency', () => {
  it("concurrent shipments beyond the origin's stock are all recorded; those past zero are flagged", async () => {
    await seedStock(t.db, [{ location: 'CD-FLAG', sku: 'FLAG-1', quantity: 10 }]);
    const ids = Array.from({ length: 5 }, (_, i) => `TR-FLAG-${i}`);
    for (const id of ids) {
      const items = [{ sku: 'FLAG-1', quantity: 4 }];
      await postWebhook(t, FLOW, create(id, { origin_code: 'CD-FLAG', destination_code: 'LJ-FLAG', items }));
    }
    const results = await Promise.all(ids.map((id) => postWebhook(t, FLOW, ship(id))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(await stockAt(t.db, 'CD-FLAG', 'FLAG-1')).toBe(-10);
    const { rows } = await t.db.query<{ q: number; below: boolean }>(
      `select resulting_quantity as q, below_zero as below from inventory_movements
        where location_code = 'CD-FLAG' and kind = 'transfer_out' order by q desc`,
    );
    expect(rows).toEqual([6, 2, -2, -6, -10].map((q) => ({ q, below: q < 0 })));
  });

  it('concurrent shipments from one origin never take its stock below zero for a client that forbids it', async () => {
    await seedStock(t.db, [{ location: 'CD-RACE', sku: 'RACE-1', quantity: 10 }]);
    const ids = Array.from({ length: 5 }, (_, i) => `TR-RACE-${i}`);
    for (const id of ids)
      await postWebhook(
        t,
        FLOW,
        create(id, { origin_code: 'CD-RACE', destination_code: 'LJ-RACE', items: [{ sku: 'RACE-1', quantity: 4 }] }),
      );
    const results = await forbiddingNegativeStock(() => Promise.all(ids.map((id) => postWebhook(t, FLOW, ship(id)))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 422 && r.body.error.code === 'GW_INSUFFICIENT_STOCK')).toHaveLength(3);
    expect(await stockAt(t.db, 'CD-RACE', 'RACE-1')).toBe(2);
  });
});
