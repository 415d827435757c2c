import type { RuleRow } from './rule.repository';

/**
 * Each client's enabled rules, cached in the process so that an event whose type no rule listens to
 * costs no query. Changes made through this instance invalidate the client's entry at once; changes
 * made on another instance are seen within the TTL (`RULES_CACHE_TTL_SECONDS`, 0 = no cache).
 */
export class RuleSetCache {
  private readonly entries = new Map<string, { at: number; rules: Promise<RuleRow[]> }>();

  constructor(
    private readonly load: (clientId: string) => Promise<RuleRow[]>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  enabled(clientId: string): Promise<RuleRow[]> {
    const hit = this.entries.get(clientId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.rules;
    const entry = { at: this.now(), rules: this.load(clientId) };
    this.entries.set(clientId, entry);
    // A failed load is not cached. (An invalidation removes the entry, so a load started before a
    // change never outlives it.)
    entry.rules.catch(() => this.entries.get(clientId) === entry && this.entries.delete(clientId));
    return entry.rules;
  }

  /** The event types among `types` that at least one enabled rule of the client listens to. */
  async listenedTo<T extends string>(clientId: string, types: readonly T[]): Promise<Set<T>> {
    const rules = await this.enabled(clientId);
    return new Set(types.filter((t) => rules.some((r) => r.eventType === t)));
  }

  invalidate(clientId: string): void {
    this.entries.delete(clientId);
  }
}
