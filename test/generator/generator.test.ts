import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures';
import { FLOWS } from '../../src/webhooks/flows';
import { newClient, newFlow } from '../../scripts/generator/generate';

const ROOT = join(__dirname, '..', '..');
const COPIED = ['src', 'test', 'templates', 'scripts', 'package.json', 'tsconfig.json', 'jest.config.js', '.swcrc'];
let copy: string;

/** Runs a script of the copy with the same Node (22) that runs jest. */
function run(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, args, {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { status: res.status, out: `${res.stdout}\n${res.stderr}` };
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'axon-generator-'));
  for (const entry of COPIED)
    cpSync(join(ROOT, entry), join(copy, entry), {
      recursive: true,
      filter: (src) => !src.includes(`${join('test', 'clients')}`),
    });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('npm run new:client -- riachuelo, in a copy of the repo', () => {
  it('creates the client module, maps every flow, registers it, and its generated tests pass', () => {
    const gen = run(['-r', '@swc-node/register', 'scripts/new-client.ts', 'riachuelo']);
    expect(gen.out).toContain('created:');
    expect(gen.status).toBe(0);

    for (const f of ['config.ts', 'connector.ts', 'queries.ts', 'mapper.ts', 'index.ts', 'README.md'])
      expect(existsSync(join(copy, 'src/clients/riachuelo', f))).toBe(true);
    for (const flow of Object.keys(FLOWS)) {
      for (const f of ['handler.ts', 'schemas.ts', 'transformer.ts', 'service.ts'])
        expect(existsSync(join(copy, 'src/clients/riachuelo/flows', flow, f))).toBe(true);
      expect(existsSync(join(copy, 'test/clients/riachuelo', `${flow}.flow.test.ts`))).toBe(true);
    }
    const registry = readFileSync(join(copy, 'src/clients/registry.ts'), 'utf8');
    expect(registry).toContain("import { client as riachuelo } from './riachuelo';");
    expect(registry).toContain('[riachuelo.id]: riachuelo,');
    expect(readFileSync(join(copy, 'src/clients/riachuelo/config.ts'), 'utf8')).toContain("id: 'riachuelo'");

    const jest = run([require.resolve('jest/bin/jest'), 'test/clients/riachuelo', '--ci', '--colors=false'], {
      FIXTURES_DIR,
    });
    expect(jest.out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(jest.status).toBe(0);
  });

  it('new:flow refuses a flow the client already maps, and an unknown flow', () => {
    const again = run(['-r', '@swc-node/register', 'scripts/new-flow.ts', 'riachuelo', 'sales']);
    expect(again.status).toBe(1);
    expect(again.out).toContain('riachuelo already maps the sales flow');
    expect(() => newFlow(copy, 'riachuelo', 'no-such-flow')).toThrow('unknown flow "no-such-flow"');
    expect(() => newFlow(copy, 'nobody', 'sales')).toThrow('no client module at src/clients/nobody');
  });

  it('refuses an existing client and a malformed id', () => {
    expect(() => newClient(copy, 'banban')).toThrow('src/clients/banban already exists');
    expect(() => newClient(copy, 'Bad_Id')).toThrow('must be lower-case');
  });
});
