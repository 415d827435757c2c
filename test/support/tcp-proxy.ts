import { createServer, Server, Socket, connect } from 'node:net';

/**
 * - `pass`: bytes flow both ways.
 * - `refuse`: the listener is closed (new connections get ECONNREFUSED) and open ones are reset.
 * - `stall`: connections stay open (new ones are accepted) but nothing is forwarded, either way,
 *   until the mode changes: what was held back is then delivered, as TCP retransmission would.
 */
export type ProxyMode = 'pass' | 'refuse' | 'stall';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Replies to this connection are held back (see stallRepliesAfter). */
  repliesHeld: boolean;
}

/**
 * A TCP proxy in the test process, between the gateway and a real server (PostgreSQL, Redis), that
 * passes, refuses or stalls on demand.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private mode: ProxyMode = 'pass';
  private replyTrigger: Buffer | undefined;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(port, target);
    await proxy.listen();
    return proxy;
  }

  /** `host:port` of the proxy, to put in a connection URL. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The URL `url` rewritten to go through the proxy. */
  via(url: string): string {
    const u = new URL(url);
    u.host = this.address;
    return u.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  async setMode(mode: ProxyMode): Promise<void> {
    this.mode = mode;
    if (mode === 'refuse') {
      for (const p of this.pairs) this.drop(p);
      await this.unlisten();
      return;
    }
    if (!this.server) await this.listen();
    for (const p of this.pairs) this.flow(p);
  }

  /**
   * Once a client sends bytes containing `pattern` (e.g. `COMMIT\0`), the server's replies on that
   * connection are held back: the server did what it was asked, the client never hears it.
   */
  stallRepliesAfter(pattern: string | undefined): void {
    this.replyTrigger = pattern === undefined ? undefined : Buffer.from(pattern);
    if (pattern) return;
    for (const p of this.pairs) {
      p.repliesHeld = false;
      this.flow(p);
    }
  }

  async close(): Promise<void> {
    for (const p of this.pairs) this.drop(p);
    await this.unlisten();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        (this as { port: number }).port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') return void client.resetAndDestroy();
    const upstream = connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream, repliesHeld: false };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (this.replyTrigger && chunk.includes(this.replyTrigger)) {
        pair.repliesHeld = true;
        upstream.pause();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => this.drop(pair, false);
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    this.flow(pair);
  }

  private flow(p: Pair): void {
    if (this.mode === 'stall') {
      p.client.pause();
      p.upstream.pause();
      return;
    }
    p.client.resume();
    if (!p.repliesHeld) p.upstream.resume();
  }

  private drop(p: Pair, reset = true): void {
    if (!this.pairs.delete(p)) return;
    if (reset) {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    } else {
      // One side closed: the other learns it once what it was sent is delivered.
      p.client.end();
      p.upstream.end();
    }
  }
}
