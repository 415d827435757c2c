import { createTestMysql, describeWithMysql, TestMysql } from '../support/mysql';
import { fixture, variant } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { DELIVERED, MISSED, seedBanbanErp } from './banban-erp';

const RUN_FIELDS = `id status stage businessDate attempts counts { extracted loaded skipped rejected } durationMs error
  reconciliation { kind outcome count } documents(first: 200) { kind documentId outcome reason details }`;

async function deliver(t: TestApp) {
  for (const body of DELIVERED) expect((await postWebhook(t, 'sales-flow', body)).status).toBe(200);
  // Facts that occurred after the business date (2026-11-28), already in the hub when the batch runs:
  // the reconciliation compares the ERP's stock of that date with the ledger as of its end, not today's.
  const later = [
    [
      'sales-flow',
      variant('sales-flow', 'register_sale', {
        sale_id: 'V-NEXT-DAY',
        sold_at: '2026-11-29T00:00:00-03:00',
        customer: undefined,
        items: [{ sku: 'TENIS-RUN-38-PRETO', quantity: 1, unit_price: '299.90', discount: '0.00' }],
        total: '299.90',
      }),
    ],
    [
      'inventory-flow',
      variant('inventory-flow', 'adjust_stock', {
        adjustment_id: 'AJ-NEXT-1',
        location_code: 'LJ-002',
        sku: 'MEIA-ESP-UN',
        quantity_delta: 100,
        reason: 'count_correction',
        adjusted_at: '2026-11-30T09:00:00-03:00',
      }),
    ],
    // LJ-001/MEIA-ESP-UN is -5 at the end of the 28th and back to 0 since
    [
      'inventory-flow',
      variant('inventory-flow', 'adjust_stock', {
        adjustment_id: 'AJ-NEXT-2',
        location_code: 'LJ-001',
        sku: 'MEIA-ESP-UN',
        quantity_delta: 5,
        reason: 'count_correction',
        adjusted_at: '2026-11-29T08:00:00-03:00',
      }),
    ],
    [
      'inventory-flow',
      variant('inventory-flow', 'adjust_stock', {
        adjustment_id: 'AJ-NEXT-3',
        location_code: 'LJ-009',
        sku: 'ONLY-LATER',
        quantity_delta: 4,
        reason: 'count_correction',
        adjusted_at: '2026-11-29T08:00:00-03:00',
      }),
    ],
  ] as const;
  for (const [flow, body] of later) expect((await postWebhook(t, flow, body)).status).toBe(200);
}

async function endState(t: TestApp) {
  const q = async (sql: string) => (await t.db.query(sql)).rows;
  return {
    sales: await q(`select id, store_code, total::text, status, payload_hash from sales order by id`),
    items: await q(
      `select sale_id, line_no, sku, quantity, line_total::text from sale_items order by sale_id, line_no`,
    ),
    payments: await q(`select id, sale_id, amount::text from payments order by id`),
    movements: await q(
      `select source_id, location_code, sku, quantity_delta from inventory_movements
       order by source_id, location_code, sku`,
    ),
    stock: await q(`select location_code, sku, quantity from stock_levels order by location_code, sku`),
    documents: await q(`select kind, document_id, outcome, reason from etl_run_documents order by kind, document_id`),
  };
}

describeWithMysql('daily_batch from a Banban ERP on MariaDB', () => {
  let erp: TestMysql;
  let a: TestApp;
  beforeAll(async () => {
    erp = await createTestMysql();
    await seedBanbanErp(erp.conn);
    a = await startTestApp({ ETL_SOURCES: JSON.stringify({ banban: erp.url }), ETL_CHUNK_SIZE: '4' });
    await deliver(a);
  });
  afterAll(async () => {
    await a?.close();
    await erp?.drop();
  });

  let runId: string;

  it('answers 202 with the run id at once (the fixture), and a redelivery replays it', async () => {
    const res = await postWebhook(a, 'etl', fixture('etl', 'daily_batch'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      ok: true,
      action: 'daily_batch',
      result: { id: expect.any(String), kind: 'DAILY_BATCH', businessDate: '2026-11-28' },
    });
    expect(['QUEUED', 'RUNNING']).toContain(res.body.result.status);
    runId = res.body.result.id;
    const again = await postWebhook(a, 'etl', fixture('etl', 'daily_batch'));
    expect(again.status).toBe(202);
    expect(again.body.result.id).toBe(runId);
  });

  it('loads what the webhooks missed, through the sales service, and reconciles per document', async () => {
    await a.services.etl.dispatcher.idle();
    const { body } = await graphql(a, `query($id: ID!) { etlRun(id: $id) { ${RUN_FIELDS} } }`, { id: runId });
    const run = body.data.etlRun;
    expect(run).toMatchObject({ status: 'SUCCEEDED', stage: 'refresh', attempts: 1, error: null });
    expect(run.counts).toEqual({ extracted: 30, loaded: 23, skipped: 5, rejected: 2 });
    expect(run.durationMs).toBeGreaterThan(0);
    const outcome = (kind: string, id: string) =>
      run.documents.find((d: any) => d.kind === kind && d.documentId === id);
    expect(outcome('sale', 'V-1').outcome).toBe('MATCHED');
    expect(outcome('sale', 'V-3')).toMatchObject({ outcome: 'DIFFERENT', reason: 'GW_BUSINESS_ID_CONFLICT' });
    expect(outcome('sale', 'V-4')).toMatchObject({
      outcome: 'REJECTED',
      reason: expect.stringContaining('GW_SALE_TOTAL_MISMATCH'),
    });
    expect(outcome('sale', 'V-EXTRA').outcome).toBe('EXTRA');
    expect(outcome('sale', 'V-LATE').outcome).toBe('LOADED'); // 23:30 in São Paulo is the next day in UTC
    expect(outcome('sale', 'V-6')).toBeUndefined(); // the day before
    for (const id of MISSED) expect(outcome('sale', id).outcome).toBe('LOADED');
    expect(outcome('payment', 'P-1').outcome).toBe('MATCHED');
    expect(outcome('payment', 'P-2').outcome).toBe('LOADED');
    expect(outcome('payment', 'P-9')).toMatchObject({
      outcome: 'REJECTED',
      reason: expect.stringContaining('GW_PREDECESSOR_MISSING'),
    });
    expect(outcome('return', 'D-1')).toMatchObject({ outcome: 'LOADED' }); // through the returns flow's own service
    // the ledger as of the end of the 28th, whatever moved since (see deliver)
    expect(outcome('stock_position', 'LJ-001/TENIS-RUN-38-PRETO').outcome).toBe('MATCHED');
    expect(outcome('stock_position', 'LJ-002/MEIA-ESP-UN')).toMatchObject({
      outcome: 'DIFFERENT',
      details: { source: 5, hub: -39 },
    });
    expect(outcome('stock_position', 'LJ-001/MEIA-ESP-UN').outcome).toBe('EXTRA');
    expect(outcome('stock_position', 'LJ-009/ONLY-LATER')).toBeUndefined();
    const today = await a.db.query(
      `select location_code || '/' || sku as id, quantity from stock_levels
        where location_code in ('LJ-001', 'LJ-002', 'LJ-009') order by 1`,
    );
    expect(today.rows).toEqual([
      { id: 'LJ-001/MEIA-ESP-UN', quantity: 0 },
      { id: 'LJ-001/TENIS-RUN-38-PRETO', quantity: -4 },
      { id: 'LJ-002/MEIA-ESP-UN', quantity: 61 },
      { id: 'LJ-009/ONLY-LATER', quantity: 4 },
    ]);

    // Loaded exactly as a webhook would have: items, ledger movements, payment settling the sale; V-3 untouched.
    const sale = await a.db.query(`select status, total::text, sold_at from sales where id = 'V-10'`);
    expect(sale.rows[0]).toMatchObject({ status: 'paid', total: '39.80' });
    const late = await a.db.query(`select sold_at from sales where id = 'V-LATE'`);
    expect(late.rows[0].sold_at.toISOString()).toBe('2026-11-29T02:30:00.000Z');
    const v3 = await a.db.query(`select total::text from sales where id = 'V-3'`);
    expect(v3.rows[0].total).toBe('19.90');
    const moves = await a.db.query(
      `select count(*)::int as n, sum(quantity_delta)::int as q from inventory_movements
        where source_id like 'V-1_' or source_id like 'V-2_'`,
    );
    expect(moves.rows[0]).toEqual({ n: 20, q: -40 });
  });

  it('lists runs by client and window, and refuses another client', async () => {
    const { body } = await graphql(
      a,
      `
        {
          etlRuns(client: "banban", from: "2026-01-01T00:00:00Z") {
            id
            status
          }
        }
      `,
    );
    expect(body.data.etlRuns.map((r: any) => r.id)).toContain(runId);
    const other = await graphql(
      a,
      `
        {
          etlRuns(client: "other") {
            id
          }
        }
      `,
    );
    expect(other.body.errors?.[0].extensions?.code).toBe('GW_FORBIDDEN');
  });

  it('a cancelled run resumes from its checkpoint: same end state as the straight run, nothing twice', async () => {
    const b = await startTestApp({ ETL_SOURCES: JSON.stringify({ banban: erp.url }), ETL_CHUNK_SIZE: '4' });
    try {
      await deliver(b);
      const started = await graphql(
        b,
        `
          mutation {
            runDailyBatch(input: { businessDate: "2026-11-28" }) {
              id
              status
            }
          }
        `,
      );
      const id = started.body.data.runDailyBatch.id;
      const events = b.services.events.subscribe('etl-progress', id);
      const seen: any[] = [];
      for await (const e of events) {
        seen.push(e);
        expect(e.status).not.toBe('failed');
        if (e.extracted > 0) {
          const cancelled = await graphql(
            b,
            `
              mutation ($id: ID!) {
                cancelEtlRun(id: $id) {
                  status
                }
              }
            `,
            { id },
          );
          expect(cancelled.body.data.cancelEtlRun.status).toBe('CANCELLED');
          break;
        }
      }
      await b.services.etl.dispatcher.idle();
      const stopped = (
        await graphql(
          b,
          `
            query ($id: ID!) {
              etlRun(id: $id) {
                status
                counts {
                  extracted
                }
              }
            }
          `,
          { id },
        )
      ).body.data.etlRun;
      expect(stopped.status).toBe('CANCELLED');
      expect(stopped.counts.extracted).toBeLessThan(30);
      expect(seen[0]).toMatchObject({ runId: id, clientId: 'banban' });

      const retried = await graphql(
        b,
        `
          mutation ($id: ID!) {
            retryEtlRun(id: $id) {
              status
            }
          }
        `,
        { id },
      );
      expect(retried.body.data.retryEtlRun.status).toBe('QUEUED');
      await b.services.etl.dispatcher.idle();
      const done = (
        await graphql(
          b,
          `
            query ($id: ID!) {
              etlRun(id: $id) {
                status
                attempts
                counts {
                  extracted
                  loaded
                  skipped
                  rejected
                }
              }
            }
          `,
          { id },
        )
      ).body.data.etlRun;
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 2,
        counts: { extracted: 30, loaded: 23, skipped: 5, rejected: 2 },
      });
      expect(await endState(b)).toEqual(await endState(a));
    } finally {
      await b.close();
    }
  });

  it('a run cannot be cancelled once finished, and an unknown run is null', async () => {
    const res = await graphql(
      a,
      `
        mutation ($id: ID!) {
          cancelEtlRun(id: $id) {
            status
          }
        }
      `,
      { id: runId },
    );
    expect(res.body.errors?.[0].extensions?.code).toBe('GW_INVALID_STATE');
    const none = await graphql(
      a,
      `
        {
          etlRun(id: "00000000-0000-0000-0000-000000000000") {
            id
          }
        }
      `,
    );
    expect(none.body.data.etlRun).toBeNull();
  });
});
