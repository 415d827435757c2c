import { performance } from 'node:perf_hooks';
import { CLIENTS } from '../clients/registry';
import type { HealthService } from '../health/health.service';
import type { FlowStatus, HubEventBus, HubTopic } from './hub-events';

export interface FlowStatusMonitorOptions {
  events: HubEventBus;
  health: Pick<HealthService, 'integrations'>;
  /** A client's health is recomputed at most once per interval, however many events arrive. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

interface ClientSchedule {
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  dirty: boolean;
  /** How long the last recomputation took (ms). */
  lastCostMs: number;
}

/**
 * Recomputing health counts the window's deliveries, which costs more as traffic grows: the monitor
 * spends at most about a twentieth of its time on it (a 50 ms recomputation waits a second for the
 * next). Under load that query was 9% of PostgreSQL's CPU at a tenth.
 */
const COST_FACTOR = 20;

const TRIGGERS = new Set<HubTopic>(['webhook-processed', 'circuit-state']);

/**
 * Publishes `flow-status` when a flow's health (services.health) changes. It is triggered by the
 * events this process publishes (processed deliveries, breaker transitions), recomputes the
 * client's health off the request path at most once per interval, and publishes only
 * transitions. It also listens to `flow-status` from other instances, so a transition already
 * announced elsewhere is not announced again.
 */
export class FlowStatusMonitor {
  private readonly known = new Map<string, FlowStatus>();
  private readonly schedules = new Map<string, ClientSchedule>();
  private readonly stops: Array<() => void> = [];
  private readonly intervalMs: number;
  private primed: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: FlowStatusMonitorOptions) {
    this.intervalMs = opts.intervalMs ?? 250;
  }

  start(): void {
    this.stops.push(
      this.opts.events.onLocalPublish((topic, clientId, payload) => {
        if (!TRIGGERS.has(topic)) return;
        // duplicates do not count in health
        if (topic === 'webhook-processed' && (payload as { outcome?: string }).outcome === 'duplicate') return;
        this.touch(clientId);
      }),
    );
    for (const clientId of Object.keys(CLIENTS)) this.followOtherInstances(clientId);
    // The current statuses are the baseline, so the first transition has a definite `previous`.
    this.primed = Promise.all(Object.keys(CLIENTS).map((c) => this.recompute(c, { announce: false }))).then(
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const s of this.schedules.values()) clearTimeout(s.timer);
    await Promise.allSettled([this.primed, ...[...this.schedules.values()].map((s) => s.running)]);
    this.schedules.clear();
  }

  /** Marks a client's health as possibly changed. */
  touch(clientId: string): void {
    if (this.stopped) return;
    const s = this.schedules.get(clientId) ?? { dirty: false, lastCostMs: 0 };
    this.schedules.set(clientId, s);
    if (s.running) {
      s.dirty = true;
      return;
    }
    if (s.timer) return;
    s.timer = setTimeout(() => this.run(clientId, s), Math.max(this.intervalMs, s.lastCostMs * COST_FACTOR));
    s.timer.unref();
  }

  private run(clientId: string, s: ClientSchedule): void {
    s.timer = undefined;
    s.dirty = false;
    s.running = this.primed
      .then(async () => {
        const started = performance.now();
        await this.recompute(clientId, { announce: true });
        s.lastCostMs = performance.now() - started;
      })
      .finally(() => {
        s.running = undefined;
        if (s.dirty) this.touch(clientId);
      });
  }

  private async recompute(clientId: string, opts: { announce: boolean }): Promise<void> {
    if (this.stopped) return;
    let health;
    try {
      health = await this.opts.health.integrations(clientId);
    } catch (err) {
      this.opts.onError?.(err);
      return;
    }
    for (const [flow, f] of Object.entries(health.flows)) {
      const key = `${clientId}\u0000${flow}`;
      const previous = this.known.get(key) ?? null;
      if (previous === f.status) continue;
      this.known.set(key, f.status);
      // Unseen and healthy is no news; unseen and unhealthy is (e.g. right after a restart).
      if (!opts.announce || this.stopped || (previous === null && f.status === 'ok')) continue;
      this.opts.events.publish('flow-status', clientId, {
        clientId,
        flow,
        status: f.status,
        previous,
        at: new Date().toISOString(),
      });
    }
  }

  private followOtherInstances(clientId: string): void {
    const stream = this.opts.events.subscribe('flow-status', clientId);
    this.stops.push(() => void stream.return(undefined));
    void (async () => {
      for await (const e of stream) this.known.set(`${e.clientId}\u0000${e.flow}`, e.status);
    })().catch((err) => this.opts.onError?.(err));
  }
}
