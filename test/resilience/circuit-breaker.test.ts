import { BrokenCircuitError } from 'cockatiel';
import { loadConfig } from '../../src/config';
import { BreakerTransition, PolicyRegistry } from '../../src/resilience/policy-registry';
import { createHubEventBus } from '../../src/subscriptions/hub-events';

const SECOND = 1000;

function setup() {
  const config = loadConfig({ NODE_ENV: 'test', POLICY_RETRY_ATTEMPTS: '0' }).policy;
  const events = createHubEventBus();
  const registry = new PolicyRegistry(config, events);
  const transitions: Array<Pick<BreakerTransition, 'previous' | 'state'>> = [];
  registry.onTransition((t) => transitions.push({ previous: t.previous, state: t.state }));
  const policy = registry.forConnector('banban', 'erp');
  let invoked = 0;
  const fail = () =>
    policy.execute(async () => {
      invoked++;
      throw new Error('boom');
    });
  const succeed = () =>
    policy.execute(async () => {
      invoked++;
      return 'ok';
    });
  return { config, events, registry, policy, transitions, fail, succeed, invoked: () => invoked };
}

async function failTimes(fail: () => Promise<unknown>, n: number) {
  for (let i = 0; i < n; i++) await expect(fail()).rejects.toThrow('boom');
}

beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') }));
afterEach(() => jest.useRealTimers());

describe('breaker transition table (fake clock; defaults: 5 failures in 120 s, half-open after 60 s)', () => {
  it('closed → open after the 5th failure; open refuses without calling', async () => {
    const s = setup();
    expect(s.config).toMatchObject({ breakerFailures: 5, halfOpenAfterMs: 60 * SECOND, breakerWindowMs: 120 * SECOND });
    await failTimes(s.fail, 4);
    expect(s.policy.state).toBe('closed');
    await failTimes(s.fail, 1);
    expect(s.policy.state).toBe('open');
    expect(s.transitions).toEqual([{ previous: 'closed', state: 'open' }]);
    const before = s.invoked();
    await expect(s.succeed()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(s.invoked()).toBe(before);
    expect(s.policy.snapshot()).toMatchObject({ failures: 5, rejections: 1, transitions: 1 });
  });

  it('open → half-open after 60 s with exactly one trial call; trial success → closed', async () => {
    const s = setup();
    await failTimes(s.fail, 5);
    jest.setSystemTime(Date.now() + 59 * SECOND);
    await expect(s.succeed()).rejects.toBeInstanceOf(BrokenCircuitError);
    jest.setSystemTime(Date.now() + 1 * SECOND);

    let release: ((v: string) => void) | undefined;
    const trial = s.policy.execute(() => new Promise<string>((r) => (release = r)));
    for (let i = 0; i < 100 && !release; i++) await Promise.resolve();
    expect(release).toBeDefined();
    expect(s.policy.state).toBe('half_open');
    const before = s.invoked();
    // calls arriving while the trial is in flight do not run: they wait for its verdict
    let waitingSettled = false;
    const waiting = [s.succeed(), s.succeed()].map((p) => p.finally(() => (waitingSettled = true)));
    for (let i = 0; i < 100; i++) await Promise.resolve();
    expect(s.invoked()).toBe(before);
    expect(waitingSettled).toBe(false);
    release!('ok');
    await expect(trial).resolves.toBe('ok');
    expect(s.policy.state).toBe('closed');
    // the verdict is "closed": the waiting calls now run
    await expect(Promise.all(waiting)).resolves.toEqual(['ok', 'ok']);
    expect(s.invoked()).toBe(before + 2);
    expect(s.transitions).toEqual([
      { previous: 'closed', state: 'open' },
      { previous: 'open', state: 'half_open' },
      { previous: 'half_open', state: 'closed' },
    ]);
  });

  it('half-open → open when the trial fails (calls waiting on it are refused), and waits another 60 s', async () => {
    const s = setup();
    await failTimes(s.fail, 5);
    jest.setSystemTime(Date.now() + 60 * SECOND);
    let reject: ((e: Error) => void) | undefined;
    const trial = s.policy.execute(() => new Promise<string>((_r, j) => (reject = j)));
    for (let i = 0; i < 100 && !reject; i++) await Promise.resolve();
    const waiting = s.succeed();
    const before = s.invoked();
    reject!(new Error('boom'));
    await expect(trial).rejects.toThrow('boom');
    await expect(waiting).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(s.invoked()).toBe(before);
    expect(s.policy.state).toBe('open');
    jest.setSystemTime(Date.now() + 30 * SECOND);
    await expect(s.succeed()).rejects.toBeInstanceOf(BrokenCircuitError);
    jest.setSystemTime(Date.now() + 30 * SECOND);
    await expect(s.succeed()).resolves.toBe('ok');
    expect(s.transitions.map((t) => `${t.previous}→${t.state}`)).toEqual([
      'closed→open',
      'open→half_open',
      'half_open→open',
      'open→half_open',
      'half_open→closed',
    ]);
  });

  it('failures older than the 120 s window do not count', async () => {
    const s = setup();
    await failTimes(s.fail, 4);
    jest.setSystemTime(Date.now() + 121 * SECOND);
    await failTimes(s.fail, 4);
    expect(s.policy.state).toBe('closed');
    await failTimes(s.fail, 1);
    expect(s.policy.state).toBe('open');
  });

  it('publishes each transition on the hub bus as circuit-state', async () => {
    const s = setup();
    const sub = s.events.subscribe('circuit-state', 'banban')[Symbol.asyncIterator]();
    const next = sub.next();
    await failTimes(s.fail, 5);
    const { value } = await next;
    expect(value).toMatchObject({ clientId: 'banban', name: 'connector:erp', state: 'open', previous: 'closed' });
    await sub.return?.();
  });

  it('flow policies only count store outages, not refusals of the caller', async () => {
    const s = setup();
    const flow = s.registry.forFlow('banban', 'sales');
    for (let i = 0; i < 6; i++)
      await expect(
        flow.execute(async () => {
          throw Object.assign(new Error('bad input'), { code: '23505' });
        }),
      ).rejects.toThrow('bad input');
    expect(flow.state).toBe('closed');
    for (let i = 0; i < 5; i++)
      await expect(
        flow.execute(async () => {
          throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
        }),
      ).rejects.toThrow('down');
    expect(flow.state).toBe('open');
  });
});
