import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLIENTS } from '../../src/clients/registry';
import { eventually } from '../support/eventually';
import { variant } from '../support/fixtures';
import { postWebhook } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { appToken, JWT_ENV, opsToken } from '../security/tokens';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = path.join(__dirname, '../../test-artifacts');

const available = existsSync(CHROMIUM);
if (!available && process.env.REQUIRE_SERVICES === '1')
  throw new Error(`REQUIRE_SERVICES=1 but Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
if (!available) console.warn(`[ops-console] skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
const describeIfChromium = available ? describe : describe.skip;

describeIfChromium('ops console in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];
  const originalRetry = CLIENTS.banban.retry;

  beforeAll(async () => {
    // Short backoff so a dead letter settles within the test.
    CLIENTS.banban.retry = { maxAttempts: 2, initialDelaySeconds: 1, maxDelaySeconds: 1 };
    t = await startTestApp({
      ...JWT_ENV,
      QUEUE_WORKERS: '2',
      RATE_LIMIT_ENABLED: 'false',
      METRICS_AGGREGATE_INTERVAL_SECONDS: '1',
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
    page.on('response', (r) => r.status() >= 400 && pageErrors.push(`${r.status()} ${r.url()}`));
  }, 60_000);

  afterAll(async () => {
    CLIENTS.banban.retry = originalRetry;
    await browser?.close();
    await t?.close();
  });

  const statusOf = (flow: string) => page.locator(`#flows tr[data-flow="${flow}"] .status .pill`);

  it('asks for a token without one, and refuses a non-ops token', async () => {
    await page.goto(`${base}/ops`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#console').isHidden()).toBe(true);
    await page.goto('about:blank');
    await page.goto(`${base}/ops/#token=${await appToken('banban')}`);
    await eventually(
      async () => expect(await page.locator('#login-error').textContent()).toContain('not an ops token'),
      5_000,
      50,
    );
    expect(await page.locator('#console').isHidden()).toBe(true);
    await page.goto('about:blank');
  });

  it('loads with an ops token: every flow, its breaker, the chart, live connection; no CSP violations', async () => {
    const token = await opsToken('ops-console', 'banban');
    const res = await page.goto(`${base}/ops/#token=${token}`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#connection[data-state="online"]').waitFor({ timeout: 10_000 });
    await page.locator('#flows tbody tr').first().waitFor();
    const flows = await page
      .locator('#flows tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-flow')));
    expect(flows.length).toBe(6);
    expect(flows).toContain('sales');
    expect(await statusOf('sales').textContent()).toBe('ok');
    await page.locator('#chart .uplot').waitFor();
    expect(page.url()).not.toContain('token='); // kept out of the address bar
    expect(pageErrors).toEqual([]);
  });

  it('shows a flow turning down when its breaker opens, and ok again when it closes', async () => {
    const isolation = t.services.policies.forFlow('banban', 'sales').breaker.isolate();
    try {
      await eventually(async () => expect(await statusOf('sales').textContent()).toBe('down'), 5_000, 50);
      await eventually(
        async () =>
          expect(await page.locator('#breakers tr[data-breaker="sales"] .state .pill').textContent()).toBe('isolated'),
        5_000,
        50,
      );
    } finally {
      isolation.dispose();
    }
    await eventually(async () => expect(await statusOf('sales').textContent()).toBe('ok'), 5_000, 50);
  });

  it('shows a new delivery within a second', async () => {
    const sent = Date.now();
    const res = await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'OPS-1' }));
    expect(res.status).toBe(200);
    await page.locator(`#live li[data-event="${res.body.eventId}"]`).waitFor({ timeout: 1_000 });
    expect(Date.now() - sent).toBeLessThan(1_000);
  });

  it('lists a dead-lettered event with its error and replays it from the Replay button', async () => {
    const pay = await postWebhook(
      t,
      'sales-flow',
      variant('sales-flow', 'register_payment', { sale_id: 'OPS-2', payment_id: 'OPS-P2', amount: '309.70' }),
      { prefer: 'respond-async' },
    );
    expect(pay.status).toBe(202);
    const row = page.locator(`#failures tr[data-event="${pay.body.eventId}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.status').textContent()).toBe('dead');
    expect(await row.locator('.error').textContent()).toContain('GW_PREDECESSOR_MISSING');
    await eventually(
      async () => expect(await page.locator('#flows tr[data-flow="sales"] .dead').textContent()).toBe('1'),
      5_000,
      50,
    );
    // the chart picks up this test's deliveries once they are aggregated (every second here)
    const charted = () =>
      page.evaluate(() => {
        const data = (globalThis as unknown as { opsConsole: { chart: { data: number[][] } } }).opsConsole.chart.data;
        return { deliveries: data[1].reduce((a, b) => a + b, 0), errors: data[2].reduce((a, b) => a + b, 0) };
      });
    await eventually(
      async () => {
        const c = await charted();
        expect(c.deliveries).toBeGreaterThanOrEqual(2); // OPS-1's sale and the dead payment
        expect(c.errors).toBeGreaterThanOrEqual(1);
      },
      15_000,
      250,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ops-console.png'), fullPage: true });

    expect(
      (await postWebhook(t, 'sales-flow', variant('sales-flow', 'register_sale', { sale_id: 'OPS-2' }))).status,
    ).toBe(200);
    await row.locator('button.replay').click();
    await eventually(
      async () => expect(await page.locator('#replay-result').textContent()).toContain(`Replayed ${pay.body.eventId}`),
      5_000,
      50,
    );
    await eventually(async () => {
      const { rows } = await t.db.query(`select status from webhook_events where id = $1`, [pay.body.eventId]);
      expect(rows[0].status).toBe('processed');
    }, 15_000);
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    await eventually(
      async () => expect(await page.locator('#flows tr[data-flow="sales"] .dead').textContent()).toBe('0'),
      5_000,
      50,
    );
    const { rows } = await t.db.query(`select status from sales where id = 'OPS-2'`);
    expect(rows[0].status).toBe('paid');
    expect(pageErrors).toEqual([]);
  });
});
