import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/gateway-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

/**
 * `npm run demo` end to end (DEMO_EXIT=1: it stops once its day is played): the gateway starts on a
 * database of its own, the six flows are played over real HTTP, and what the console is meant to
 * show is there: a resend recorded as a duplicate, refused payloads, a dead-lettered payment and an
 * open breaker, and no answer the story does not call for.
 */
const ROOT = join(__dirname, '..', '..');
let database: TestDatabase;
let output = '';
let exitCode: number | null;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/demo.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DEMO_EXIT: '1',
      DEMO_PACE_MS: '5',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
}, 120_000);
afterAll(() => database.drop());

test('the demo plays its day and stops cleanly', () => {
  expect({ exitCode, output: exitCode === 0 ? '' : output }).toEqual({ exitCode: 0, output: '' });
  expect(output).toContain('connector:erp-db is open');
  expect(output).toMatch(/the orphan payment \S+ is dead/);
});

test('its answers are the ones its story calls for: accepted, queued, and the three malformed sales refused', () => {
  const line = /HTTP answers: (.*)/.exec(output)?.[1] ?? '';
  const answers = Object.fromEntries(line.split(', ').map((a) => a.split('×').map(Number)));
  expect(Object.keys(answers).sort()).toEqual(['200', '202', '400']);
  expect(answers[400]).toBe(3);
  expect(answers[200]).toBeGreaterThan(90);
});

test('every flow has events, the resends were duplicates, and the orphan payment was dead-lettered', async () => {
  const { rows } = await database.db.query<{ flow: string; status: string; n: number }>(
    `select flow, status, count(*)::int as n from webhook_events where client_id = 'banban' group by flow, status`,
  );
  const count = (where: (r: { flow: string; status: string }) => boolean) =>
    rows.filter(where).reduce((a, r) => a + r.n, 0);
  for (const flow of ['sales', 'purchase', 'inventory', 'transfer', 'returns', 'etl']) {
    expect({ flow, processed: count((r) => r.flow === flow && r.status === 'processed') > 0 }).toEqual({
      flow,
      processed: true,
    });
  }
  // The transfer's receipt was sent twice, and every seventh sale.
  expect(count((r) => r.status === 'duplicate')).toBe(1 + 5);
  expect(count((r) => r.status === 'dead')).toBe(1);
  expect(count((r) => r.status === 'rejected')).toBe(3);
});
