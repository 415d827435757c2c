import type { IntegrationHealth } from '../../src/health/health.service';
import { FlowStatusMonitor } from '../../src/subscriptions/flow-status.monitor';
import { createHubEventBus, FlowStatus, FlowStatusEvent, HubEventBus } from '../../src/subscriptions/hub-events';

/**
 * The monitor's scheduling rules, on the real event bus, with a scripted health source (the
 * health computation itself is covered against Postgres in live-subscriptions.test.ts).
 */
class ScriptedHealth {
  status: FlowStatus = 'ok';
  calls = 0;
  async integrations(clientId: string): Promise<IntegrationHealth> {
    this.calls++;
    await new Promise((r) => setTimeout(r, 20)); // a query takes time; events keep arriving meanwhile
    const flow = {
      status: this.status,
      last_success: null,
      error_rate: 0,
      events_in_window: 0,
      errors_in_window: 0,
      circuit: 'closed' as const,
      queue_size: 0,
    };
    return {
      client: clientId,
      status: this.status,
      store: 'up',
      window_seconds: 900,
      checked_at: new Date().toISOString(),
      connectors: {},
      flows: { sales: flow },
    };
  }
}

const INTERVAL = 50;
let bus: HubEventBus;
let health: ScriptedHealth;
let monitor: FlowStatusMonitor;
let announced: FlowStatusEvent[];

const processed = (outcome: 'processed' | 'rejected' | 'duplicate' = 'rejected') =>
  bus.publish('webhook-processed', 'banban', {
    id: 'e',
    clientId: 'banban',
    flow: 'sales',
    action: 'register_sale',
    outcome,
    httpStatus: 400,
    durationMs: 1,
    at: new Date().toISOString(),
  });
const settle = () => new Promise((r) => setTimeout(r, INTERVAL * 4));

beforeEach(async () => {
  bus = createHubEventBus();
  health = new ScriptedHealth();
  monitor = new FlowStatusMonitor({ events: bus, health, intervalMs: INTERVAL });
  announced = [];
  const stream = bus.subscribe('flow-status', 'banban');
  void (async () => {
    for await (const e of stream) announced.push(e);
  })();
  monitor.start();
  await settle(); // the baseline
  health.calls = 0;
});
afterEach(() => monitor.stop());

it('recomputes at most once per interval however many events arrive, and announces the transition once', async () => {
  health.status = 'degraded';
  for (let i = 0; i < 200; i++) processed();
  await settle();
  expect(health.calls).toBeLessThanOrEqual(2);
  expect(announced).toEqual([
    { clientId: 'banban', flow: 'sales', status: 'degraded', previous: 'ok', at: expect.any(String) },
  ]);

  for (let i = 0; i < 50; i++) processed();
  await settle();
  expect(announced).toHaveLength(1); // no change, no news
});

it('does not recompute for duplicates (they do not count in health)', async () => {
  for (let i = 0; i < 10; i++) processed('duplicate');
  await settle();
  expect(health.calls).toBe(0);
});

it('learns transitions announced by other instances and does not announce them again', async () => {
  bus.publish('flow-status', 'banban', {
    clientId: 'banban',
    flow: 'sales',
    status: 'down',
    previous: 'ok',
    at: new Date().toISOString(),
  });
  health.status = 'down';
  processed();
  await settle();
  expect(announced.map((e) => e.status)).toEqual(['down']); // only the other instance's announcement
});

it('stops: no recomputation after stop', async () => {
  await monitor.stop();
  processed();
  await settle();
  expect(health.calls).toBe(0);
});
