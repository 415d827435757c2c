import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runKeysCli } from '../../src/auth/keys-cli';
import { fixture } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ API_KEY_CACHE_SECONDS: '1' });
});
afterAll(() => t.close());

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runKeysCli(argv, t.db, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

describe('npm run keys', () => {
  it('create → the key works on its flow; list never shows it; revoke stops it; all audited as cli', async () => {
    const created = await cli('create', '--client', 'banban', '--flow', 'sales-flow', '--name', 'erp-cli');
    expect(created.code).toBe(0);
    const key = /^key (\S+)$/m.exec(created.out)![1];
    const id = /^id (\d+)/m.exec(created.out)![1];
    expect(created.out).toContain('flow sales');

    const sale = {
      action: 'register_sale',
      data: { ...fixture('sales-flow', 'register_sale').data, sale_id: 'S-CLI-1' },
    };
    expect((await postWebhook({ ...t, apiKey: key }, 'sales-flow', sale)).status).toBe(200);

    const listed = await cli('list', '--client', 'banban');
    expect(listed.out).toContain('erp-cli');
    expect(listed.out).toContain(key.slice(0, 10));
    expect(listed.out).not.toContain(key);

    expect((await cli('revoke', '--id', id)).code).toBe(0);
    // Revoked by another process: this instance trusts its cached verification for at most
    // API_KEY_CACHE_SECONDS (1 s here), then refuses the key.
    const revokedAt = Date.now();
    let refused;
    for (let n = 2; ; n++) {
      refused = await postWebhook({ ...t, apiKey: key }, 'sales-flow', {
        ...sale,
        data: { ...sale.data, sale_id: `S-CLI-${n}` },
      });
      if (refused.status !== 200 || Date.now() - revokedAt > 3000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused.status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    expect((await cli('list', '--client', 'banban')).out).not.toContain('erp-cli');
    expect((await cli('list', '--client', 'banban', '--all')).out).toContain('erp-cli');

    const { rows } = await t.db.query(
      `select action, target, source, actor from audit_log where source = 'cli' order by id`,
    );
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ['createApiKey', id],
      ['revokeApiKey', id],
    ]);
    expect(rows[0].actor).toMatch(/^cli:/);
  });

  it('secrets and per-client settings', async () => {
    const s = await cli('secret-create', '--client', 'banban', '--name', 'rotation-1');
    expect(s.out).toMatch(/^secret whsec_[A-Za-z0-9+/=]{40,}$/m);
    expect(
      (await cli('security', '--client', 'banban', '--schemes', 'both', '--allow', '203.0.113.0/24,2001:db8::/32')).out,
    ).toContain('schemes both');
    const { rows } = await t.db.query(`select schemes, ip_allowlist from client_security where client_id = 'banban'`);
    expect(rows[0]).toEqual({ schemes: 'both', ip_allowlist: ['203.0.113.0/24', '2001:db8::/32'] });
    expect((await cli('security', '--client', 'banban', '--schemes', 'api_key', '--allow', 'none')).code).toBe(0);
  });

  it('refuses unknown flows, clients and bad CIDRs with a message and exit code 1', async () => {
    expect(await cli('create', '--client', 'banban', '--flow', 'nope')).toMatchObject({
      code: 1,
      out: expect.stringContaining('GW_VALIDATION_FAILED'),
    });
    expect((await cli('create', '--client', 'nobody')).code).toBe(1);
    expect((await cli('security', '--client', 'banban', '--allow', '10.0.0.0/99')).code).toBe(1);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('the real script runs against the configured database', async () => {
    const root = join(__dirname, '..', '..');
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'keys', '--', 'list', '--client', 'banban', '--all'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: t.database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
        timeout: 30_000,
      },
    );
    expect(stdout).toContain('erp-cli');
  });
});

describe('DEV_API_KEY at start', () => {
  it('instances starting together ensure the same key once, without failing', async () => {
    const key = 'axk_dev_key_ensured_by_several_instances_0001';
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.services.apiKeys.ensure({ clientId: 'banban', name: 'dev', key })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const { rows } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from api_keys where name = 'dev' and key_prefix = $1`,
      [key.slice(0, 10)],
    );
    expect(rows[0].n).toBe(1);
  });
});
