import 'reflect-metadata';
import { emitResult } from './support/report';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { clientRepository } from '../src/clients/client.repository';
import { CLIENTS } from '../src/clients/registry';
import { loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { etlRepository } from '../src/flows/etl/etl.repository';
import { createServices } from '../src/services';
import { createBenchDatabase } from './support/bench-db';

/**
 * 1,000,000 sale rows (BENCH_ROWS) in Banban's export format, loaded through the ETL pipeline —
 * file connector → transform → validate (the sales rules) → set-based load through the sales service
 * (sales, items, master data, inventory ledger and stock, per-document reconciliation, checkpoints) —
 * versus a plain COPY of the same file into a table of the same columns, same database, same run.
 * Target: pipeline ≥ 0.5× the COPY's rows/s.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CHUNK = process.env.BENCH_CHUNK ?? '5000';
const HEADER =
  'id_venda,cod_loja,canal,dt_venda,id_cliente,nome_cliente,email_cliente,cpf_cliente,' +
  'vl_total,seq,cod_produto,desc_produto,qtde,vl_unitario,vl_desconto';

async function writeExport(dir: string): Promise<void> {
  const out = createWriteStream(join(dir, 'vendas.csv'));
  out.write(`${HEADER}\n`);
  for (let n = 0; n < ROWS; n++) {
    const qty = 1 + (n % 3);
    const price = (19.9 + (n % 50)).toFixed(2);
    const discount = n % 7 === 0 ? '1.00' : '0.00';
    const total = (Math.round(Number(price) * 100) * qty - Math.round(Number(discount) * 100)) / 100;
    const s = String(n % 86400);
    const time =
      `${String(Math.floor(+s / 3600)).padStart(2, '0')}:` +
      `${String(Math.floor((+s % 3600) / 60)).padStart(2, '0')}:${String(+s % 60).padStart(2, '0')}`;
    const line =
      `B-${String(n).padStart(8, '0')},LJ-${String(n % 50).padStart(3, '0')},LOJA,2026-11-28 ${time},` +
      `C-${n % 5000},Cliente ${n % 5000},,,${total.toFixed(2)},1,SKU-${n % 1000},Produto ${n % 1000},` +
      `${qty},${price},${discount}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  writeFileSync(join(dir, 'pagamentos.csv'), 'id_pagamento,id_venda,forma_pagto,vl_pago,parcelas,dt_pagto\n');
  writeFileSync(join(dir, 'devolucoes.jsonl'), '');
  writeFileSync(join(dir, 'estoque.csv'), 'cod_loja,cod_produto,qtde,dt_posicao\n');
}

async function plainCopy(url: string, file: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`create table baseline_vendas (id_venda text primary key, cod_loja text, canal text, dt_venda timestamp,
    id_cliente text, nome_cliente text, email_cliente text, cpf_cliente text, vl_total numeric(14,2), seq int,
    cod_produto text, desc_produto text, qtde int, vl_unitario numeric(14,2), vl_desconto numeric(14,2))`);
  const started = performance.now();
  await pipeline(
    createReadStream(file),
    c.query(copyFrom(`copy baseline_vendas from stdin with (format csv, header true)`)),
  );
  const seconds = (performance.now() - started) / 1000;
  await c.end();
  return seconds;
}

/**
 * The floor of any pipeline that stores what this one must: the same rows COPY'd straight into copies
 * of the tables the load writes (sales, sale_items, inventory_movements, etl_run_documents — with their
 * indexes, defaults and checks), no parsing or rules in Node at all. Its rows/s over the plain COPY's
 * is the highest ratio a pipeline writing those four tables can reach on this database.
 */
async function tablesFloor(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const tables: Array<[string, string, (n: number) => string]> = [
    [
      'sales',
      'client_id, id, store_code, channel, customer_id, sold_at, total, status, payload_hash',
      (n) =>
        `banban,F-${n},LJ-${n % 50},loja,C-${n % 5000},2026-11-28 10:00:00+00,39.80,open,` +
        n.toString(16).padStart(64, '0'),
    ],
    [
      'sale_items',
      'client_id, sale_id, line_no, sku, description, quantity, unit_price, discount, line_total',
      (n) => `banban,F-${n},1,SKU-${n % 1000},Produto ${n % 1000},2,19.90,0.00,39.80`,
    ],
    [
      'inventory_movements',
      'client_id, location_code, sku, quantity_delta, kind, source_type, source_id, occurred_at, ' +
        'resulting_quantity, below_zero',
      (n) => `banban,LJ-${n % 50},SKU-${n % 1000},-2,sale,sale,F-${n},2026-11-28 10:00:00+00,${-2 * n},true`,
    ],
    [
      'etl_run_documents',
      'run_id, client_id, kind, document_id, outcome',
      (n) => `00000000-0000-4000-8000-000000000000,banban,sale,F-${n},loaded`,
    ],
  ];
  let seconds = 0;
  try {
    for (const [table, columns, row] of tables) {
      await c.query(`create table floor_${table} (like ${table} including all)`);
      const started = performance.now();
      await pipeline(
        (async function* () {
          for (let n = 0; n < ROWS; n += 1000)
            yield Array.from({ length: Math.min(1000, ROWS - n) }, (_, i) => `${row(n + i)}\n`).join('');
        })(),
        c.query(copyFrom(`copy floor_${table} (${columns}) from stdin with (format csv)`)),
      );
      seconds += (performance.now() - started) / 1000;
    }
  } finally {
    await c.end();
  }
  return seconds;
}

async function throughPipeline(
  url: string,
  dir: string,
): Promise<{ seconds: number; run: Awaited<ReturnType<typeof etlRepository.find>> }> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    ETL_SOURCES: JSON.stringify({ banban: `file://${dir}` }),
    ETL_CHUNK_SIZE: CHUNK,
  });
  const db = new Database({ connectionString: url, max: 4 });
  await migrate(db);
  await clientRepository.ensure(db, Object.values(CLIENTS));
  const services = createServices(db, config);
  const started = performance.now();
  const run = await db.transaction((tx) =>
    services.etl.prepareDailyBatch(tx, 'banban', 'bench', { businessDate: '2026-11-28' }),
  );
  await services.etl.execute(run.id);
  const seconds = (performance.now() - started) / 1000;
  const done = await etlRepository.find(db, run.id);
  await db.close();
  return { seconds, run: done };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'axon-bench-etl-'));
  const database = await createBenchDatabase();
  try {
    await writeExport(dir);
    const copySeconds = await plainCopy(database.url, join(dir, 'vendas.csv'));
    const { seconds, run } = await throughPipeline(database.url, dir);
    const floorSeconds = await tablesFloor(database.url);
    if (run?.status !== 'succeeded' || run.loaded !== ROWS)
      throw new Error(`the pipeline did not load every row: ${JSON.stringify(run)}`);
    const copyRate = ROWS / copySeconds;
    const etlRate = ROWS / seconds;
    console.log(
      `\nbench:etl — ${ROWS.toLocaleString('en')} sale rows from a CSV export, chunks of ${CHUNK}, same PostgreSQL`,
    );
    console.log(
      `plain COPY (one table)          ${copyRate.toFixed(0).padStart(9)} rows/s   ${copySeconds.toFixed(1)} s`,
    );
    console.log(
      `ETL pipeline (sales service)    ${etlRate.toFixed(0).padStart(9)} rows/s   ` +
        `${seconds.toFixed(1)} s   loaded ${run.loaded}, rejected ${run.rejected}`,
    );
    const floorRate = ROWS / floorSeconds;
    console.log(
      `COPY into the 4 tables written  ${floorRate.toFixed(0).padStart(9)} rows/s   ` +
        `${floorSeconds.toFixed(1)} s   (no parsing or rules: the floor of any pipeline storing them)`,
    );
    console.log(
      `ratio ${(etlRate / copyRate).toFixed(2)}× the plain COPY (target ≥ 0.50×); ` +
        `the 4-table COPY floor is ${(floorRate / copyRate).toFixed(2)}×, ` +
        `and the pipeline reaches ${((100 * etlRate) / floorRate).toFixed(0)}% of it`,
    );
    emitResult({
      name: 'bench:etl',
      figure: `${etlRate.toFixed(0)} rows/s through the pipeline`,
      baseline: `${copyRate.toFixed(0)} rows/s plain COPY`,
      ratio: etlRate / copyRate,
      target: '≥ 0.50×',
      pass: etlRate / copyRate >= 0.5,
      details: {
        rows: ROWS,
        copyRowsPerSec: copyRate,
        etlRowsPerSec: etlRate,
        fourTableCopyRowsPerSec: floorRate,
        fourTableCopyRatio: floorRate / copyRate,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
