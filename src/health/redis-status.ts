/** What health needs of an ioredis connection. */
interface Watched {
  status: string;
}

/**
 * This instance's Redis connections (rate-limit counters, live events): Redis is `up` while every
 * one of them is connected. Nothing waits on this: it reads the connections' state.
 */
export class RedisStatus {
  private readonly clients = new Set<Watched>();

  watch(client: Watched): void {
    this.clients.add(client);
  }

  /** `undefined` without Redis (REDIS_URL unset). */
  get state(): 'up' | 'down' | undefined {
    if (this.clients.size === 0) return undefined;
    for (const c of this.clients) if (c.status !== 'ready') return 'down';
    return 'up';
  }
}
