import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestMysql, describeWithMysql, TestMysql } from '../support/mysql';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { seedBanbanErp } from './banban-erp';

const ROOT = join(__dirname, '..', '..');

function cli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/etl.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, out }))) };
}

describeWithMysql('npm run etl (the ops CLI)', () => {
  let erp: TestMysql;
  let hub: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    erp = await createTestMysql();
    await seedBanbanErp(erp.conn);
    hub = await createTestDatabase();
    env = {
      DATABASE_URL: hub.url,
      ETL_SOURCES: JSON.stringify({ banban: erp.url }),
      ETL_CHUNK_SIZE: '1',
      ETL_LEASE_SECONDS: '0',
    };
  });
  afterAll(async () => {
    await hub?.drop();
    await erp?.drop();
  });
  const count = async (sql: string) => (await hub.db.query<{ n: number }>(sql)).rows[0].n;
  const args = ['daily-batch', '--client', 'banban', '--date', '2026-11-28'];

  it('--dry-run reports what would change and writes nothing', async () => {
    const { code, out } = await cli([...args, '--dry-run'], env).done;
    expect(out).toContain('DRY RUN');
    expect(out).toMatch(/sale\s+loaded\s+23\s+\(would be loaded\)/); // no webhooks here: V-1 and V-3 are missing too
    expect(out).toMatch(/sale\s+rejected\s+1/);
    expect(code).toBe(0);
    expect(await count('select count(*)::int as n from sales')).toBe(0);
    expect(await count('select count(*)::int as n from etl_runs')).toBe(0);
  }, 60_000);

  it('a run killed mid-way (SIGKILL) resumes from its checkpoint with nothing loaded twice', async () => {
    const first = cli(args, env);
    for (;;) {
      const n = await count(`select coalesce(sum(position), 0)::int as n from etl_checkpoints`);
      if (n > 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    await first.done;
    const atKill = await hub.db.query(`select status, extracted from etl_runs`);
    expect(atKill.rows[0].status).toBe('running'); // the worker died holding it
    expect(atKill.rows[0].extracted).toBeLessThan(30);

    const second = await cli(args, env).done;
    expect(second.out).toContain('succeeded');
    expect(second.code).toBe(0);
    const run = (await hub.db.query(`select status, attempts, extracted, loaded, skipped, rejected from etl_runs`))
      .rows[0];
    expect(run).toEqual({ status: 'succeeded', attempts: 2, extracted: 30, loaded: 26, skipped: 2, rejected: 2 });
    expect(await count(`select count(*)::int as n from sales`)).toBe(23);
    expect(
      await count(
        `select count(*)::int as n
           from (select source_id, sku from inventory_movements group by 1, 2 having count(*) > 1) d`,
      ),
    ).toBe(0);
    expect(await count(`select count(*)::int as n from sale_items`)).toBe(24);
    expect(await count(`select count(*)::int as n from payments`)).toBe(2);
  }, 90_000);
});
