import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { PgBoss } from 'pg-boss';
import { buildApp } from '../../src/app';
import { ETL_DAILY_BATCH_QUEUE, ETL_RUN_QUEUE, EtlJobs } from '../../src/flows/etl/etl.jobs';
import { etlRepository } from '../../src/flows/etl/etl.repository';
import { fixture } from '../support/fixtures';
import { graphql, postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

const SALES = 60;
/** Enough 5-sale chunks that the instance can be stopped mid-run. */
const BIG = 1500;
const HEADER =
  'id_venda,cod_loja,canal,dt_venda,id_cliente,nome_cliente,email_cliente,cpf_cliente,' +
  'vl_total,seq,cod_produto,desc_produto,qtde,vl_unitario,vl_desconto';

/** A Banban nightly export of SALES one-line sales on 2026-11-28 (São Paulo), and empty other streams. */
function exportDir(sales: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'axon-etl-queue-'));
  const lines = Array.from(
    { length: sales },
    (_, n) =>
      `Q-${String(n).padStart(4, '0')},LJ-00${n % 3},LOJA,2026-11-28 10:${String(n % 60).padStart(2, '0')}:00,` +
      `C-${n % 7},Cliente ${n % 7},,,39.80,1,SKU-${n % 5},Produto,2,19.90,0.00`,
  );
  writeFileSync(join(dir, 'vendas.csv'), `${HEADER}\n${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'pagamentos.csv'), 'id_pagamento,id_venda,forma_pagto,vl_pago,parcelas,dt_pagto\n');
  writeFileSync(join(dir, 'devolucoes.jsonl'), '');
  writeFileSync(join(dir, 'estoque.csv'), 'cod_loja,cod_produto,qtde,dt_posicao\n');
  return dir;
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A pg-boss client of its own on the hub's database, as another process would have. */
async function outsideBoss(url: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schedule: false, supervise: false, max: 2 });
  boss.on('error', () => undefined);
  await boss.start();
  return boss;
}

describe('ETL runs on the pg-boss queue', () => {
  let dir: string;
  let big: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = exportDir(SALES);
    big = exportDir(BIG);
    t = await startTestApp({
      ETL_SOURCES: JSON.stringify({ banban: `file://${dir}` }),
      ETL_CHUNK_SIZE: '5',
      ETL_LEASE_SECONDS: '60',
    });
  });
  afterAll(async () => {
    await t?.close();
    for (const d of [dir, big]) rmSync(d, { recursive: true, force: true });
  });

  const runJobs = async (runId: string) =>
    (
      await t.db.query(
        `select state, retry_count from pgboss.job where name = $1 and data->>'runId' = $2 order by created_on`,
        [ETL_RUN_QUEUE, runId],
      )
    ).rows;

  it('a webhook answers 202 with the run id; an etl-run job executes it on a worker', async () => {
    const res = await postWebhook(t, 'etl', fixture('etl', 'daily_batch'));
    expect(res.status).toBe(202);
    const id = res.body.result.id as string;
    expect(await runJobs(id)).toHaveLength(1); // sent in the request's transaction
    await t.services.etl.dispatcher.idle();
    const run = (
      await graphql(
        t,
        `
          query ($id: ID!) {
            etlRun(id: $id) {
              status
              attempts
              counts {
                extracted
                loaded
              }
            }
          }
        `,
        { id },
      )
    ).body.data.etlRun;
    expect(run).toEqual({ status: 'SUCCEEDED', attempts: 1, counts: { extracted: SALES, loaded: SALES } });
    await waitFor('the job to complete', async () => (await runJobs(id))[0]?.state === 'completed');
  });

  it(
    'survives a restart: a run stopped mid-way resumes ' + 'from its checkpoint on the next instance, nothing twice',
    async () => {
      // The same date again from scratch, on emptied tables, with a bigger export so the run takes a while.
      writeFileSync(join(dir, 'vendas.csv'), readFileSync(join(big, 'vendas.csv')));
      await t.db.query(
        `delete from etl_runs; delete from inventory_movements; delete from stock_levels;
         delete from sale_items; delete from sales`,
      );
      const started = await graphql(
        t,
        `
          mutation {
            runDailyBatch(input: { businessDate: "2026-11-28" }) {
              id
            }
          }
        `,
      );
      const id = started.body.data.runDailyBatch.id as string;
      // Stop the instance once the first chunk is in: the run ends after its current chunk and is queued again.
      await waitFor(
        'a committed chunk',
        async () => ((await etlRepository.find(t.db, id))?.extracted ?? 0) > 0,
        60_000,
        10,
      );
      await t.app.close();
      const stopped = (await etlRepository.find(t.db, id))!;
      expect(stopped.status).toBe('queued');
      expect(stopped.extracted).toBeGreaterThan(0);
      expect(stopped.extracted).toBeLessThan(BIG);
      expect((await runJobs(id))[0].state).toBe('retry');

      // The next instance on the same database: its worker takes the job and resumes.
      const next = await buildApp({ config: t.config, db: t.db });
      await next.server.ready();
      try {
        const done = await waitFor('the resumed run', async () => {
          const r = await etlRepository.find(t.db, id);
          return r?.status === 'succeeded' ? r : null;
        });
        expect(done).toMatchObject({ attempts: 2, extracted: BIG, loaded: BIG, rejected: 0 });
        const counts = (
          await t.db.query(
            `select (select count(*)::int from sales) as sales,
                    (select count(*)::int from inventory_movements) as movements,
                    (select count(*)::int from etl_run_documents where run_id = $1 and kind = 'sale') as documents,
                    (select position::int from etl_checkpoints where run_id = $1 and stream = 'sale') as position`,
            [id],
          )
        ).rows[0];
        expect(counts).toEqual({ sales: BIG, movements: BIG, documents: BIG, position: BIG });
      } finally {
        await next.server.close();
      }
    },
  );
});

describe('the daily batch schedule (pg-boss cron per client)', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = exportDir(3);
    t = await startTestApp({ ETL_SOURCES: JSON.stringify({ banban: `file://${dir}` }) });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is registered at start for each client with a source: 02:00 in its timezone', async () => {
    const boss = await outsideBoss(t.database.url);
    try {
      const schedules = await boss.getSchedules(ETL_DAILY_BATCH_QUEUE);
      expect(schedules.map((s) => ({ key: s.key, cron: s.cron, timezone: s.timezone, data: s.data }))).toEqual([
        { key: 'banban', cron: '0 2 * * *', timezone: 'America/Sao_Paulo', data: { clientId: 'banban' } },
      ]);
      expect(await (t.services.etl.dispatcher as EtlJobs).schedules()).toHaveLength(1);
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it('a fired schedule starts the batch of the local day before, once per date', async () => {
    const yesterday = DateTime.now().setZone('America/Sao_Paulo').minus({ days: 1 }).toISODate();
    const boss = await outsideBoss(t.database.url);
    try {
      // What the cron pass sends at 02:00, sent now.
      expect(await boss.send(ETL_DAILY_BATCH_QUEUE, { clientId: 'banban' })).toBeTruthy();
      const run = await waitFor(
        'the scheduled run',
        async () =>
          (
            await t.db.query(
              `select id, business_date::text as date, requested_by as by, status from etl_runs
               where kind = 'daily_batch'`,
            )
          ).rows[0],
      );
      expect(run).toMatchObject({ date: yesterday, by: 'schedule' });
      await waitFor(
        'the scheduled run to finish',
        async () => (await etlRepository.find(t.db, run.id))?.status === 'succeeded',
      );
      // Fired again (a second instance, a catch-up): the same date's run, not another.
      await boss.send(ETL_DAILY_BATCH_QUEUE, { clientId: 'banban' });
      await waitFor(
        'the second firing to be handled',
        async () =>
          (
            await t.db.query(`select 1 from pgboss.job where name = $1 and state = 'completed'`, [
              ETL_DAILY_BATCH_QUEUE,
            ])
          ).rowCount === 2,
      );
      const runs = (await t.db.query(`select id from etl_runs`)).rows;
      expect(runs).toEqual([{ id: run.id }]);
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
