import { createClient } from 'graphql-ws';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * Child process of bench:subscriptions: holds a share of the subscribers (as 1,000 browsers would
 * be several machines, not one event loop) and records, for every event received, its latency from
 * the event's publish time (`at`, stamped by the server right before it publishes) to its receipt
 * here. Both clocks are this machine's wall clock. Driven over IPC by the bench:
 *   → {cmd: 'connect', kind, url, key?, count}   ← {ready: true}
 *   → {cmd: 'warm'}                              ← {warm: <subscribers that received an event>}
 *   → {cmd: 'collect'}                           ← {receipts: [[eventId, latencyMs], …]} (then closes)
 */
type Command =
  | { cmd: 'connect'; kind: 'gateway' | 'baseline'; url: string; key?: string; count: number }
  | { cmd: 'warm' }
  | { cmd: 'collect' };

const QUERY = 'subscription { webhookProcessed(client: "banban", flow: "sales") { id action outcome at } }';
const wallNow = () => performance.timeOrigin + performance.now();
const receipts: Array<[string, number]> = [];
const warm = new Set<number>();
const closers: Array<() => void | Promise<void>> = [];

function received(subscriber: number, id: string, at: string): void {
  receipts.push([id, wallNow() - Date.parse(at)]);
  warm.add(subscriber);
}

function connectGraphqlWs(url: string, key: string, i: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': key },
      retryAttempts: 0,
      lazy: false,
      on: { connected: () => resolve(), closed: (e) => reject(e) },
    });
    closers.push(() => client.dispose());
    client.subscribe<{ webhookProcessed: { id: string; at: string } }>(
      { query: QUERY },
      {
        next: (r) => r.data && received(i, r.data.webhookProcessed.id, r.data.webhookProcessed.at),
        error: (e) => console.error('subscriber error', e),
        complete: () => undefined,
      },
    );
  });
}

function connectWs(url: string, i: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url);
    closers.push(() => ws.close());
    ws.on('open', () => resolve());
    ws.on('error', reject);
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as { id: string; at: string };
      received(i, e.id, e.at);
    });
  });
}

process.on('message', async (m: Command) => {
  if (m.cmd === 'connect') {
    for (let i = 0; i < m.count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, m.count - i) }, (_, k) =>
          m.kind === 'gateway' ? connectGraphqlWs(m.url, m.key!, i + k) : connectWs(m.url, i + k),
        ),
      );
    }
    process.send!({ ready: true });
  } else if (m.cmd === 'warm') {
    process.send!({ warm: warm.size });
  } else {
    await Promise.all(closers.map((close) => close()));
    process.send!({ receipts }, () => process.exit(0));
  }
});
