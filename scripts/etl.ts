import 'reflect-metadata';
import { SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import { clientRepository } from '../src/clients/client.repository';
import { CLIENTS } from '../src/clients/registry';
import { loadConfig } from '../src/config';
import { Database, Queryable } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { etlRepository, EtlRunRow } from '../src/flows/etl/etl.repository';
import { createServices } from '../src/services';

/**
 * Ops CLI: `npm run etl -- daily-batch --client banban --date 2026-11-28 [--dry-run]`.
 * Runs (or resumes) the date's batch in this process with a progress bar; --dry-run does the same
 * inside one transaction that is rolled back and prints what would change. DB and sources come from
 * the config module (DATABASE_URL, ETL_SOURCES).
 */
const USAGE = 'usage: npm run etl -- daily-batch --client <id> --date YYYY-MM-DD [--dry-run]';

class DryRunDone extends Error {
  constructor(
    readonly run: EtlRunRow,
    readonly outcomes: Array<{ kind: string; outcome: string; count: number }>,
  ) {
    super('dry run');
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { client: { type: 'string' }, date: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (positionals[0] !== 'daily-batch' || !values.client || !values.date) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (!config.databaseUrl) {
    console.error('DATABASE_URL is not set');
    return 2;
  }
  const db = new Database({
    connectionString: config.databaseUrl,
    max: 4,
    ssl: config.databaseSsl,
    applicationName: 'axon-etl-cli',
  });
  try {
    await migrate(db);
    await clientRepository.ensure(db, Object.values(CLIENTS));
    const services = createServices(db, config);
    const bar = new SingleBar({
      format:
        ' {stream} |{bar}| {value} documents · loaded {loaded} · skipped {skipped} · rejected {rejected} · {duration}s',
      hideCursor: true,
    });
    bar.start(1, 0, { stream: 'starting', loaded: 0, skipped: 0, rejected: 0 });
    const onProgress = (r: EtlRunRow, stream: string) => {
      bar.setTotal(r.extracted + config.etl.chunkSize);
      bar.update(r.extracted, {
        stream: stream.padEnd(14),
        loaded: r.loaded,
        skipped: r.skipped,
        rejected: r.rejected,
      });
    };
    const requestedBy = `cli:${process.env.USER ?? 'ops'}`;
    let run: EtlRunRow;
    let outcomes: Array<{ kind: string; outcome: string; count: number }>;
    if (values['dry-run']) {
      try {
        await db.transaction(async (tx) => {
          const prepared = await services.etl.prepareDailyBatch(tx, values.client!, requestedBy, {
            businessDate: values.date!,
          });
          await services.etl.execute(prepared.id, {
            unitOfWork: (fn) => inSavepoint(tx, fn),
            onProgress,
            skipRefresh: true,
          });
          throw new DryRunDone(
            (await etlRepository.find(tx, prepared.id))!,
            await etlRepository.outcomeCounts(tx, prepared.id),
          );
        });
        throw new Error('unreachable');
      } catch (err) {
        if (!(err instanceof DryRunDone)) throw err;
        ({ run, outcomes } = err);
      }
    } else {
      const prepared = await db.transaction((tx) =>
        services.etl.prepareDailyBatch(tx, values.client!, requestedBy, { businessDate: values.date! }),
      );
      await services.etl.execute(prepared.id, { onProgress });
      run = (await etlRepository.find(db, prepared.id))!;
      outcomes = await etlRepository.outcomeCounts(db, run.id);
    }
    bar.stop();
    const dryRun = values['dry-run'] ? 'DRY RUN — nothing was written. ' : '';
    const error = run.error ? ` (${run.error.code}: ${run.error.message})` : '';
    console.log(`\n${dryRun}run ${run.id}: ${run.status}${error}`);
    console.log(
      `extracted ${run.extracted} · loaded ${run.loaded} · skipped ${run.skipped} · rejected ${run.rejected}`,
    );
    for (const o of outcomes) {
      const wouldBe = values['dry-run'] && o.outcome === 'loaded' ? '  (would be loaded)' : '';
      console.log(`  ${o.kind.padEnd(15)} ${o.outcome.padEnd(10)} ${o.count}${wouldBe}`);
    }
    return run.status === 'succeeded' ? 0 : 1;
  } finally {
    await db.close();
  }
}

async function inSavepoint<R>(tx: Queryable, fn: (q: Queryable) => Promise<R>): Promise<R> {
  await tx.query('savepoint etl_dry');
  try {
    const r = await fn(tx);
    await tx.query('release savepoint etl_dry');
    return r;
  } catch (err) {
    await tx.query('rollback to savepoint etl_dry');
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
