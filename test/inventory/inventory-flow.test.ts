import fc from 'fast-check';
import { CLIENTS } from '../../src/clients/registry';
import { countRows, ledgerMismatches, ledgerStock } from '../support/ledger';
import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { afterBackgroundWork } from '../support/quiet';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const FLOW = 'inventory-flow';
const count = (table: string, where?: string, values?: unknown[]) => countRows(t, table, where, values);

const adjustment = (id: string, patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'adjust_stock', { adjustment_id: id, ...patch });
const snapshot = (id: string, patch: Record<string, unknown> = {}) =>
  variant(FLOW, 'take_snapshot', { snapshot_id: id, ...patch });
const validation = (patch: Record<string, unknown> = {}) => variant(FLOW, 'validate_movement', patch);

describe('the three fixtures, as the ERP sends them', () => {
  it('adjust_stock: -2 for damage, once there is stock to take', async () => {
    const seed = await postWebhook(t, FLOW, adjustment('AJ-SEED-1', { quantity_delta: 5, reason: 'count_correction' }));
    expect(seed.status).toBe(200);
    const res = await postWebhook(t, FLOW, fixture(FLOW, 'adjust_stock'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      action: 'adjust_stock',
      result: {
        id: 'AJ-2026-0091',
        locationCode: 'LJ-001',
        sku: 'MEIA-ESP-UN',
        quantityDelta: -2,
        reason: 'damage',
        adjustedAt: '2026-11-28T21:00:00.000Z',
        belowZero: false,
        stock: { quantity: 3 },
      },
    });
    expect(await ledgerStock(t, 'LJ-001', 'MEIA-ESP-UN')).toBe(3);
    const { rows } = await t.db.query(
      `select kind, source_type, source_id from inventory_movements where source_id = 'AJ-2026-0091'`,
    );
    expect(rows).toEqual([{ kind: 'adjustment', source_type: 'inventory_adjustment', source_id: 'AJ-2026-0091' }]);
  });

  it('take_snapshot: freezes LJ-001 as of its time', async () => {
    const res = await postWebhook(t, FLOW, fixture(FLOW, 'take_snapshot'));
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({
      id: 'SN-2026-11-28-LJ-001',
      locationCode: 'LJ-001',
      takenAt: '2026-11-29T02:59:00.000Z',
      lineCount: 1,
      totalQuantity: 3,
    });
    const read = await graphql(
      t,
      `
        {
          inventorySnapshot(id: "SN-2026-11-28-LJ-001") {
            location {
              code
            }
            lines {
              locationCode
              sku
              quantity
              product {
                sku
              }
            }
            differences {
              sku
            }
          }
        }
      `,
    );
    expect(read.body.data.inventorySnapshot).toEqual({
      location: { code: 'LJ-001' },
      lines: [{ locationCode: 'LJ-001', sku: 'MEIA-ESP-UN', quantity: 3, product: { sku: 'MEIA-ESP-UN' } }],
      differences: [],
    });
  });

  it('validate_movement: answers by the stock rule, writes nothing but its audit row', async () => {
    const movements = await count('inventory_movements');
    const res = await postWebhook(t, FLOW, fixture(FLOW, 'validate_movement'));
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({
      valid: false,
      available: 0,
      reason: 'would take stock below zero: 0 available at LJ-001, 5 requested',
    });
    const again = await postWebhook(t, FLOW, fixture(FLOW, 'validate_movement'));
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBeUndefined(); // a question is answered anew each time
    expect(await count('inventory_movements')).toBe(movements);
    expect(await count('stock_levels', `sku = 'TENIS-RUN-38-PRETO'`)).toBe(0);
    const { rows } = await t.db.query(
      `select status, flow, action, idempotency_key, http_status, result from webhook_events where id = $1`,
      [res.body.eventId],
    );
    expect(rows[0]).toMatchObject({
      status: 'processed',
      flow: 'inventory',
      action: 'validate_movement',
      idempotency_key: `read:${res.body.eventId}`,
      http_status: 200,
      result: res.body.result,
    });
  });
});

describe('the three operations, called directly through GraphQL', () => {
  it('adjustStock, takeInventorySnapshot and the validateMovement query with the x-api-key header', async () => {
    const adjusted = await graphql(
      t,
      `
        mutation ($input: AdjustStockInput!) {
          adjustStock(input: $input) {
            id
            quantityDelta
            stock {
              quantity
              location {
                kind
              }
              product {
                sku
              }
            }
          }
        }
      `,
      {
        input: {
          id: 'AJ-GQL-1',
          locationCode: 'lj-gql',
          sku: 'sku-gql',
          quantityDelta: 7,
          reason: 'found',
          adjustedAt: '2026-11-28T10:00:00-03:00',
        },
      },
    );
    expect(adjusted.body).toEqual({
      data: {
        adjustStock: {
          id: 'AJ-GQL-1',
          quantityDelta: 7,
          stock: { quantity: 7, location: { kind: 'STORE' }, product: { sku: 'SKU-GQL' } },
        },
      },
    });
    const snap = await graphql(
      t,
      `
        mutation ($input: TakeInventorySnapshotInput!) {
          takeInventorySnapshot(input: $input) {
            id
            locationCode
            lines {
              sku
              quantity
            }
          }
        }
      `,
      {
        input: { id: 'SN-GQL-1', locationCode: 'LJ-GQL', takenAt: '2026-11-28T12:00:00-03:00' },
      },
    );
    expect(snap.body).toEqual({
      data: {
        takeInventorySnapshot: { id: 'SN-GQL-1', locationCode: 'LJ-GQL', lines: [{ sku: 'SKU-GQL', quantity: 7 }] },
      },
    });
    const check = await graphql(
      t,
      `
        query ($input: ValidateMovementInput!) {
          validateMovement(input: $input) {
            valid
            available
            reason
          }
        }
      `,
      {
        input: { locationCode: 'LJ-GQL', sku: 'SKU-GQL', quantityDelta: -7 },
      },
    );
    expect(check.body).toEqual({ data: { validateMovement: { valid: true, available: 7, reason: null } } });
  });

  it('GraphQL records a removal beyond the stock as REST does (flagged); refusals carry the same codes', async () => {
    const adjust = `mutation ($input: AdjustStockInput!) {
      adjustStock(input: $input) { id belowZero stock { quantity } } }`;
    const input = {
      id: 'AJ-GQL-2',
      locationCode: 'LJ-GQL',
      sku: 'SKU-GQL',
      quantityDelta: -8,
      reason: 'theft',
      adjustedAt: '2026-11-28T10:00:00Z',
    };
    const res = await graphql(t, adjust, { input });
    expect(res.body).toEqual({ data: { adjustStock: { id: 'AJ-GQL-2', belowZero: true, stock: { quantity: -1 } } } });
    const conflict = await graphql(t, adjust, { input: { ...input, quantityDelta: -9 } });
    expect(conflict.body.errors?.[0].extensions).toMatchObject({
      code: 'GW_BUSINESS_ID_CONFLICT',
      details: { adjustment_id: 'AJ-GQL-2' },
    });
    await graphql(t, adjust, { input: { ...input, id: 'AJ-GQL-3', quantityDelta: 8, reason: 'found' } });
    expect(await ledgerStock(t, 'LJ-GQL', 'SKU-GQL')).toBe(7);
  });
});

describe('the adjust_stock fixture on a fresh database (nothing in stock yet)', () => {
  let f: TestApp;
  beforeAll(async () => {
    f = await startTestApp();
  });
  afterAll(() => f.close());

  it('is recorded as the ERP reported it: stock -2, its movement flagged below zero, listed for ops', async () => {
    const res = await postWebhook(f, FLOW, fixture(FLOW, 'adjust_stock'));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      id: 'AJ-2026-0091',
      quantityDelta: -2,
      reason: 'damage',
      belowZero: true,
      stock: { quantity: -2 },
    });
    expect(await ledgerStock(f, 'LJ-001', 'MEIA-ESP-UN')).toBe(-2);
    const { rows } = await f.db.query(
      `select kind, quantity_delta, resulting_quantity, below_zero from inventory_movements
        where source_id = 'AJ-2026-0091'`,
    );
    expect(rows).toEqual([{ kind: 'adjustment', quantity_delta: -2, resulting_quantity: -2, below_zero: true }]);
    const ops = await graphql(
      f,
      `
        {
          stockLevels(filter: { belowZero: true }) {
            edges {
              node {
                locationCode
                sku
                quantity
              }
            }
          }
        }
      `,
    );
    expect(ops.body.data.stockLevels.edges).toEqual([
      { node: { locationCode: 'LJ-001', sku: 'MEIA-ESP-UN', quantity: -2 } },
    ]);
  });
});

describe('the three fixtures through GraphQL, on a database of their own', () => {
  let g: TestApp;
  beforeAll(async () => {
    g = await startTestApp();
  });
  afterAll(() => g.close());

  it('give the same adjustment, snapshot and answer as through REST', async () => {
    const adjust = `mutation ($input: AdjustStockInput!) {
      adjustStock(input: $input) { id locationCode sku quantityDelta reason adjustedAt stock { quantity } } }`;
    const a = fixture(FLOW, 'adjust_stock').data;
    const input = {
      id: a.adjustment_id,
      locationCode: a.location_code,
      sku: a.sku,
      quantityDelta: a.quantity_delta,
      reason: a.reason,
      adjustedAt: a.adjusted_at,
    };
    expect(
      (await graphql(g, adjust, { input: { ...input, id: 'AJ-SEED-1', quantityDelta: 5, reason: 'count_correction' } }))
        .body.errors,
    ).toBeUndefined();
    expect((await graphql(g, adjust, { input })).body).toEqual({
      data: {
        adjustStock: {
          id: 'AJ-2026-0091',
          locationCode: 'LJ-001',
          sku: 'MEIA-ESP-UN',
          quantityDelta: -2,
          reason: 'damage',
          adjustedAt: '2026-11-28T21:00:00.000Z',
          stock: { quantity: 3 },
        },
      },
    });
    const s = fixture(FLOW, 'take_snapshot').data;
    const snap = await graphql(
      g,
      `
        mutation ($input: TakeInventorySnapshotInput!) {
          takeInventorySnapshot(input: $input) {
            id
            locationCode
            takenAt
            lineCount
            totalQuantity
          }
        }
      `,
      {
        input: { id: s.snapshot_id, locationCode: s.location_code, takenAt: s.taken_at },
      },
    );
    expect(snap.body).toEqual({
      data: {
        takeInventorySnapshot: {
          id: 'SN-2026-11-28-LJ-001',
          locationCode: 'LJ-001',
          takenAt: '2026-11-29T02:59:00.000Z',
          lineCount: 1,
          totalQuantity: 3,
        },
      },
    });
    const v = fixture(FLOW, 'validate_movement').data;
    const answer = await graphql(
      g,
      `
        query ($input: ValidateMovementInput!) {
          validateMovement(input: $input) {
            valid
            available
            reason
          }
        }
      `,
      {
        input: { locationCode: v.location_code, sku: v.sku, quantityDelta: v.quantity_delta },
      },
    );
    expect(answer.body).toEqual({
      data: {
        validateMovement: {
          valid: false,
          available: 0,
          reason: 'would take stock below zero: 0 available at LJ-001, 5 requested',
        },
      },
    });
    expect(await ledgerStock(g, 'LJ-001', 'MEIA-ESP-UN')).toBe(3);
  });
});

/** Runs `fn` with banban's settings forbidding negative stock (facts beyond the stock are then refused). */
async function forbiddingNegativeStock(fn: () => Promise<void>): Promise<void> {
  const settings = CLIENTS.banban.settings;
  CLIENTS.banban.settings = { ...settings, allowNegativeStock: false };
  try {
    await fn();
  } finally {
    CLIENTS.banban.settings = settings;
  }
}

describe('adjustments', () => {
  it('an adjustment beyond the stock is a fact: recorded, its movement flagged, listed for ops', async () => {
    await postWebhook(t, FLOW, adjustment('AJ-NEG-SEED', { location_code: 'LJ-NEG', quantity_delta: 2 }));
    const res = await postWebhook(t, FLOW, adjustment('AJ-NEG', { location_code: 'LJ-NEG', quantity_delta: -3 }));
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      id: 'AJ-NEG',
      quantityDelta: -3,
      belowZero: true,
      stock: { quantity: -1 },
    });
    expect(await ledgerStock(t, 'LJ-NEG', 'MEIA-ESP-UN')).toBe(-1);
    const { rows } = await t.db.query(
      `select quantity_delta, resulting_quantity, below_zero from inventory_movements where source_id = 'AJ-NEG'`,
    );
    expect(rows).toEqual([{ quantity_delta: -3, resulting_quantity: -1, below_zero: true }]);
    const ops = await graphql(
      t,
      `
        {
          stockLevels(filter: { locationCode: "LJ-NEG", belowZero: true }) {
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
    expect(ops.body.data.stockLevels.edges).toEqual([{ node: { sku: 'MEIA-ESP-UN', quantity: -1 } }]);
    // the question is still answered by the rule: nothing more may be taken from there
    const question = validation({ location_code: 'LJ-NEG', sku: 'MEIA-ESP-UN', quantity_delta: -1 });
    const ask = await postWebhook(t, FLOW, question);
    expect(ask.body.result).toEqual({
      valid: false,
      available: -1,
      reason: 'would take stock below zero: -1 available at LJ-NEG, 1 requested',
    });
    // a redelivery of the same fact changes nothing; goods found later bring the position back, unflagged
    const again = adjustment('AJ-NEG', { location_code: 'LJ-NEG', quantity_delta: -3 });
    expect((await postWebhook(t, FLOW, again, { 'webhook-id': 'aj-neg-again' })).status).toBe(200);
    const found = await postWebhook(
      t,
      FLOW,
      adjustment('AJ-NEG-FOUND', { location_code: 'LJ-NEG', quantity_delta: 1, reason: 'count_correction' }),
    );
    expect(found.body.result).toMatchObject({ belowZero: false, stock: { quantity: 0 } });
    expect(await ledgerStock(t, 'LJ-NEG', 'MEIA-ESP-UN')).toBe(0);
    expect(await count('inventory_movements', `location_code = 'LJ-NEG' and below_zero`)).toBe(1);
  });

  it('a client forbidding negative stock gets 422 GW_INSUFFICIENT_STOCK, nothing written', async () => {
    await postWebhook(t, FLOW, adjustment('AJ-NONEG-SEED', { location_code: 'LJ-NONEG', quantity_delta: 2 }));
    await forbiddingNegativeStock(async () => {
      const before = await count('inventory_movements');
      const res = await postWebhook(t, FLOW, adjustment('AJ-NONEG', { location_code: 'LJ-NONEG', quantity_delta: -3 }));
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'GW_INSUFFICIENT_STOCK',
        details: { shortfalls: [{ location_code: 'LJ-NONEG', sku: 'MEIA-ESP-UN', requested: 3, available: 2 }] },
      });
      expect(await count('inventory_movements')).toBe(before);
      expect(await count('inventory_adjustments', `id = 'AJ-NONEG'`)).toBe(0);
      // taking exactly what is there is allowed
      const all = adjustment('AJ-NONEG-ALL', { location_code: 'LJ-NONEG', quantity_delta: -2 });
      expect((await postWebhook(t, FLOW, all)).status).toBe(200);
      expect(await ledgerStock(t, 'LJ-NONEG', 'MEIA-ESP-UN')).toBe(0);
      // and the same id, refused before, may come back once it is possible
      await postWebhook(t, FLOW, adjustment('AJ-NONEG-SEED-2', { location_code: 'LJ-NONEG', quantity_delta: 3 }));
      const retried = adjustment('AJ-NONEG', { location_code: 'LJ-NONEG', quantity_delta: -3 });
      expect((await postWebhook(t, FLOW, retried)).status).toBe(200);
      expect(await ledgerStock(t, 'LJ-NONEG', 'MEIA-ESP-UN')).toBe(0);
    });
  });

  it('concurrent removals beyond the stock are all recorded; exactly the movements past zero are flagged', async () => {
    await postWebhook(t, FLOW, adjustment('AJ-FLAG-SEED', { location_code: 'LJ-FLAG', quantity_delta: 5 }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postWebhook(t, FLOW, adjustment(`AJ-FLAG-${i}`, { location_code: 'LJ-FLAG', quantity_delta: -1 })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.body.result.belowZero)).toHaveLength(5);
    expect(await ledgerStock(t, 'LJ-FLAG', 'MEIA-ESP-UN')).toBe(-5);
    const { rows } = await t.db.query<{ q: number; below: boolean }>(
      `select resulting_quantity as q, below_zero as below from inventory_movements
        where location_code = 'LJ-FLAG' order by resulting_quantity desc`,
    );
    expect(rows.map((r) => r.q)).toEqual([5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5]);
    expect(rows.map((r) => r.below)).toEqual(rows.map((r) => r.q < 0));
  });

  it('concurrent removals never go below zero for a client that forbids it: the guard locks the position', async () => {
    await postWebhook(t, FLOW, adjustment('AJ-RACE-SEED', { location_code: 'LJ-RACE', quantity_delta: 5 }));
    await forbiddingNegativeStock(async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postWebhook(t, FLOW, adjustment(`AJ-RACE-${i}`, { location_code: 'LJ-RACE', quantity_delta: -1 })),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.filter((r) => r.status === 422 && r.body.error.code === 'GW_INSUFFICIENT_STOCK')).toHaveLength(5);
    });
    expect(await ledgerStock(t, 'LJ-RACE', 'MEIA-ESP-UN')).toBe(0);
    expect(await count('inventory_movements', `location_code = 'LJ-RACE' and below_zero`)).toBe(0);
  });

  it('an adjustment applies once: the same id with the same content is harmless, with other content 409', async () => {
    const body = adjustment('AJ-ONCE', { location_code: 'LJ-ONCE', quantity_delta: 4 });
    await postWebhook(t, FLOW, body);
    expect((await postWebhook(t, FLOW, body)).headers['idempotent-replayed']).toBe('true');
    const again = await postWebhook(t, FLOW, body, { 'webhook-id': 'aj-once-again' });
    expect(again.status).toBe(200);
    const changed = await postWebhook(t, FLOW, adjustment('AJ-ONCE', { location_code: 'LJ-ONCE', quantity_delta: 5 }), {
      'webhook-id': 'aj-once-changed',
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({
      code: 'GW_BUSINESS_ID_CONFLICT',
      details: { adjustment_id: 'AJ-ONCE' },
    });
    expect(await ledgerStock(t, 'LJ-ONCE', 'MEIA-ESP-UN')).toBe(4);
  });

  it(
    'strict payloads: zero or fractional deltas, ' + 'a reason that is not a token, unknown fields are 400 with paths',
    async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ quantity_delta: 0 }, 'data.quantity_delta'],
        [{ quantity_delta: 1.5 }, 'data.quantity_delta'],
        [{ quantity_delta: '-2' }, 'data.quantity_delta'],
        [{ reason: 'Damaged goods!' }, 'data.reason'],
        [{ adjusted_at: '2026-11-28T18:00:00' }, 'data.adjusted_at'],
        [{ note: 'x' }, 'data'],
      ];
      for (const [patch, path] of cases) {
        const res = await postWebhook(t, FLOW, adjustment('AJ-STRICT', patch));
        expect(res.status).toBe(400);
        expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
      }
      expect(await count('inventory_adjustments', `id = 'AJ-STRICT'`)).toBe(0);
    },
  );
});

describe('snapshots', () => {
  it('freeze stock as of their time, per location or for all, and compare with current stock', async () => {
    const at = (h: number) => `2026-11-10T${String(h).padStart(2, '0')}:00:00Z`;
    await postWebhook(
      t,
      FLOW,
      adjustment('AJ-SN-1', { location_code: 'LJ-SNA', sku: 'SN-SKU', quantity_delta: 10, adjusted_at: at(8) }),
    );
    await postWebhook(
      t,
      FLOW,
      adjustment('AJ-SN-2', { location_code: 'LJ-SNB', sku: 'SN-SKU', quantity_delta: 4, adjusted_at: at(8) }),
    );
    await postWebhook(
      t,
      FLOW,
      adjustment('AJ-SN-3', { location_code: 'LJ-SNA', sku: 'SN-SKU', quantity_delta: -3, adjusted_at: at(12) }),
    );
    // a snapshot at 10:00 is the ledger up to 10:00, even though a later movement is already recorded
    expect(
      (await postWebhook(t, FLOW, snapshot('SN-A-10', { location_code: 'LJ-SNA', taken_at: at(10) }))).status,
    ).toBe(200);
    expect(
      (await postWebhook(t, FLOW, { action: 'take_snapshot', data: { snapshot_id: 'SN-ALL-10', taken_at: at(10) } }))
        .status,
    ).toBe(200);
    await postWebhook(
      t,
      FLOW,
      adjustment('AJ-SN-4', { location_code: 'LJ-SNB', sku: 'SN-SKU-2', quantity_delta: 1, adjusted_at: at(13) }),
    );

    const read = await graphql(
      t,
      `
        {
          a: inventorySnapshot(id: "SN-A-10") {
            locationCode
            lines {
              locationCode
              sku
              quantity
            }
            differences {
              locationCode
              sku
              snapshotQuantity
              currentQuantity
              difference
            }
          }
          all: inventorySnapshot(id: "SN-ALL-10") {
            locationCode
            location {
              code
            }
            lines {
              locationCode
              sku
              quantity
            }
            differences {
              locationCode
              sku
              snapshotQuantity
              currentQuantity
              difference
            }
          }
          none: inventorySnapshot(id: "SN-NOPE") {
            id
          }
        }
      `,
    );
    expect(read.body.errors).toBeUndefined();
    const { a, all, none } = read.body.data;
    expect(none).toBeNull();
    expect(a).toEqual({
      locationCode: 'LJ-SNA',
      lines: [{ locationCode: 'LJ-SNA', sku: 'SN-SKU', quantity: 10 }],
      differences: [
        { locationCode: 'LJ-SNA', sku: 'SN-SKU', snapshotQuantity: 10, currentQuantity: 7, difference: -3 },
      ],
    });
    expect(all.locationCode).toBeNull();
    expect(all.location).toBeNull();
    expect(all.lines).toEqual(
      expect.arrayContaining([
        { locationCode: 'LJ-SNA', sku: 'SN-SKU', quantity: 10 },
        { locationCode: 'LJ-SNB', sku: 'SN-SKU', quantity: 4 },
      ]),
    );
    // LJ-GQL moved on Nov 28
    expect(all.lines.some((l: { locationCode: string }) => l.locationCode === 'LJ-GQL')).toBe(false);
    expect(all.differences).toEqual(
      expect.arrayContaining([
        { locationCode: 'LJ-SNA', sku: 'SN-SKU', snapshotQuantity: 10, currentQuantity: 7, difference: -3 },
        { locationCode: 'LJ-SNB', sku: 'SN-SKU-2', snapshotQuantity: 0, currentQuantity: 1, difference: 1 },
        { locationCode: 'LJ-GQL', sku: 'SKU-GQL', snapshotQuantity: 0, currentQuantity: 7, difference: 7 },
      ]),
    );
    expect(
      all.differences.some(
        (d: { locationCode: string; sku: string }) => d.locationCode === 'LJ-SNB' && d.sku === 'SN-SKU',
      ),
    ).toBe(false);
    // a snapshot taken now equals current stock everywhere
    await postWebhook(t, FLOW, {
      action: 'take_snapshot',
      data: { snapshot_id: 'SN-ALL-NOW', taken_at: new Date().toISOString() },
    });
    const now = await graphql(
      t,
      `
        {
          inventorySnapshot(id: "SN-ALL-NOW") {
            totalQuantity
            differences {
              sku
            }
          }
        }
      `,
    );
    const total = await t.db.query<{ s: number }>(`select sum(quantity)::int as s from stock_levels`);
    expect(now.body.data.inventorySnapshot).toEqual({ totalQuantity: total.rows[0].s, differences: [] });
  });

  it('a snapshot id is taken once: same content harmless, other content 409', async () => {
    const lines = await count('inventory_snapshot_lines', `snapshot_id = 'SN-A-10'`);
    const same = await postWebhook(
      t,
      FLOW,
      snapshot('SN-A-10', { location_code: 'LJ-SNA', taken_at: '2026-11-10T10:00:00Z' }),
      { 'webhook-id': 'sn-same' },
    );
    expect(same.status).toBe(200);
    const other = await postWebhook(
      t,
      FLOW,
      snapshot('SN-A-10', { location_code: 'LJ-SNB', taken_at: '2026-11-10T10:00:00Z' }),
      { 'webhook-id': 'sn-other' },
    );
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'GW_BUSINESS_ID_CONFLICT', details: { snapshot_id: 'SN-A-10' } });
    expect(await count('inventory_snapshot_lines', `snapshot_id = 'SN-A-10'`)).toBe(lines);
  });
});

describe('validate_movement', () => {
  it('additions are always valid; removals are valid up to the stock', async () => {
    await postWebhook(t, FLOW, adjustment('AJ-VAL', { location_code: 'LJ-VAL', sku: 'VAL-SKU', quantity_delta: 3 }));
    const ask = async (delta: number) =>
      (await postWebhook(t, FLOW, validation({ location_code: 'lj-val', sku: 'val-sku', quantity_delta: delta }))).body
        .result;
    expect(await ask(5)).toEqual({ valid: true, available: 3, reason: null });
    expect(await ask(-3)).toEqual({ valid: true, available: 3, reason: null });
    expect(await ask(-4)).toEqual({
      valid: false,
      available: 3,
      reason: 'would take stock below zero: 3 available at LJ-VAL, 4 requested',
    });
    expect(await ledgerStock(t, 'LJ-VAL', 'VAL-SKU')).toBe(3);
  });

  it('a malformed question is 400, like any action', async () => {
    const res = await postWebhook(t, FLOW, validation({ quantity_delta: 0 }));
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('data.quantity_delta');
  });
});

describe('stock reads', () => {
  it('stock(location, sku): the running stock, 0 for a position that never moved', async () => {
    const res = await graphql(
      t,
      `
        {
          a: stock(location: "lj-001", sku: "meia-esp-un") {
            locationCode
            sku
            quantity
            updatedAt
          }
          b: stock(location: "LJ-001", sku: "NEVER") {
            quantity
            updatedAt
          }
        }
      `,
    );
    expect(res.body.data.a).toMatchObject({
      locationCode: 'LJ-001',
      sku: 'MEIA-ESP-UN',
      quantity: 3,
      updatedAt: expect.any(String),
    });
    expect(res.body.data.b).toEqual({ quantity: 0, updatedAt: null });
  });

  it('stockLevels pages through every position with cursors, and filters', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const res: Awaited<ReturnType<typeof graphql>> = await graphql(
        t,
        `
          query ($after: String) {
            stockLevels(first: 3, after: $after) {
              edges {
                cursor
                node {
                  locationCode
                  sku
                  quantity
                }
              }
              pageInfo {
                hasNextPage
                endCursor
              }
            }
          }
        `,
        { after },
      );
      const conn = res.body.data.stockLevels;
      expect(conn.edges.length).toBeLessThanOrEqual(3);
      seen.push(
        ...conn.edges.map(
          (e: { node: { locationCode: string; sku: string } }) => `${e.node.locationCode}/${e.node.sku}`,
        ),
      );
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    const { rows } = await t.db.query<{ k: string }>(
      `select location_code || '/' || sku as k from stock_levels where client_id = 'banban'
       order by location_code, sku`,
    );
    expect(seen).toEqual(rows.map((r) => r.k));
    const byLocation = await graphql(
      t,
      `
        {
          stockLevels(filter: { locationCode: "lj-snb" }) {
            edges {
              node {
                sku
                quantity
                location {
                  kind
                }
                product {
                  sku
                }
              }
            }
          }
        }
      `,
    );
    expect(byLocation.body.data.stockLevels.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { sku: 'SN-SKU', quantity: 4, location: { kind: 'STORE' }, product: { sku: 'SN-SKU' } },
      { sku: 'SN-SKU-2', quantity: 1, location: { kind: 'STORE' }, product: { sku: 'SN-SKU-2' } },
    ]);
    const bad = await graphql(
      t,
      `
        {
          stockLevels(after: "nope") {
            edges {
              cursor
            }
          }
        }
      `,
    );
    expect(bad.body.errors?.[0].extensions?.code).toBe('GW_VALIDATION_FAILED');
  });

  it('positions below zero (recorded sales) are visible to ops through the belowZero filter', async () => {
    const sale = variant('sales-flow', 'register_sale', { sale_id: 'S-INV-NEG', store_code: 'LJ-BZ' });
    expect((await postWebhook(t, 'sales-flow', sale)).status).toBe(200);
    const res = await graphql(
      t,
      `
        {
          stockLevels(filter: { belowZero: true }) {
            edges {
              node {
                locationCode
                sku
                quantity
              }
            }
          }
        }
      `,
    );
    const listed = res.body.data.stockLevels.edges.map((e: { node: unknown }) => e.node);
    expect(listed).toEqual(
      expect.arrayContaining([
        { locationCode: 'LJ-BZ', sku: 'MEIA-ESP-UN', quantity: -2 },
        { locationCode: 'LJ-BZ', sku: 'TENIS-RUN-38-PRETO', quantity: -1 },
      ]),
    );
    // every position below zero, whichever fact took it there (sales, adjustments), and only those
    expect(listed).toHaveLength(await count('stock_levels', `client_id = 'banban' and quantity < 0`));
    // and a removal there is not valid until stock comes back
    const ask = await postWebhook(
      t,
      FLOW,
      validation({ location_code: 'LJ-BZ', sku: 'MEIA-ESP-UN', quantity_delta: -1 }),
    );
    expect(ask.body.result).toMatchObject({ valid: false, available: -2 });
  });

  it('nested reads cost a bounded number of SQL queries, whatever the number of lines', async () => {
    for (let i = 0; i < 30; i++)
      await postWebhook(
        t,
        FLOW,
        adjustment(`AJ-BULK-${i}`, {
          location_code: 'LJ-BULK',
          sku: `BULK-${i}`,
          quantity_delta: i + 1,
          adjusted_at: '2026-11-01T10:00:00Z',
        }),
      );
    await postWebhook(t, FLOW, {
      action: 'take_snapshot',
      data: { snapshot_id: 'SN-BULK', location_code: 'LJ-BULK', taken_at: '2026-11-02T00:00:00Z' },
    });
    await postWebhook(t, FLOW, adjustment('AJ-BULK-X', { location_code: 'LJ-BULK', sku: 'BULK-0', quantity_delta: 1 }));
    const cost = async (query: string) => {
      await graphql(t, '{ __typename }'); // the key's last-use touch happens off the measured request
      await afterBackgroundWork(t);
      const before = t.db.queryCount;
      const res = await graphql(t, query);
      expect(res.body.errors).toBeUndefined();
      return t.db.queryCount - before;
    };
    const snapshotFields = `id location { code } lineCount totalQuantity
      lines { sku product { description } } differences { sku difference }`;
    const snapshotQuery = (ids: string[]) =>
      `{ ${ids.map((id, n) => `s${n}: inventorySnapshot(id: "${id}") { ${snapshotFields} }`).join(' ')} }`;
    // key + snapshots + location + lines + products + differences
    expect(await cost(snapshotQuery(['SN-2026-11-28-LJ-001']))).toBeLessThanOrEqual(6);
    expect(await cost(snapshotQuery(['SN-BULK']))).toBeLessThanOrEqual(6);
    expect(await cost(snapshotQuery(['SN-BULK', 'SN-A-10', 'SN-ALL-10', 'SN-2026-11-28-LJ-001']))).toBeLessThanOrEqual(
      6,
    );
    // key + page + locations + products
    expect(
      await cost(`{ stockLevels(first: 200) { edges { node { quantity location { code } product { sku } } } } }`),
    ).toBeLessThanOrEqual(4);
  });
});

describe('the ledger', () => {
  it('random adjustments (facts, even below zero) and questions keep stock equal to a model and ledger', async () => {
    const positions = [
      ['LJ-PBT-1', 'PBT-A'],
      ['LJ-PBT-1', 'PBT-B'],
      ['LJ-PBT-2', 'PBT-A'],
    ] as const;
    const model = new Map<string, number>();
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 2 }),
            delta: fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0),
          }),
          { maxLength: 8 },
        ),
        async (steps) => {
          for (const step of steps) {
            const [location, sku] = positions[step.at];
            const key = `${location}/${sku}`;
            const have = model.get(key) ?? 0;
            const asked = await postWebhook(
              t,
              FLOW,
              validation({ location_code: location, sku, quantity_delta: step.delta }),
            );
            const res = await postWebhook(
              t,
              FLOW,
              adjustment(`AJ-PBT-${seq++}`, { location_code: location, sku, quantity_delta: step.delta }),
            );
            expect(asked.body.result).toMatchObject({
              valid: step.delta > 0 || have + step.delta >= 0,
              available: have,
            });
            expect(res.status).toBe(200);
            const after = have + step.delta;
            expect(res.body.result).toMatchObject({ belowZero: after < 0, stock: { quantity: after } });
            model.set(key, have + step.delta);
            expect(await ledgerStock(t, location, sku)).toBe(model.get(key));
          }
        },
      ),
      { numRuns: 12 },
    );
    expect(await ledgerMismatches(t)).toEqual([]);
  });
});
