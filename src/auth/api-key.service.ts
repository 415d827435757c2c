import { LRUCache } from 'lru-cache';
import { randomBytes } from 'node:crypto';
import { Database } from '../db/database';
import { isStoreUnavailable, StoreUnavailableError } from '../db/store-errors';
import { GatewayError } from '../errors/gateway-error';
import { sha256 } from '../shared/hash';
import { ApiKeyRow, apiKeyRepository } from './api-key.repository';

const TOUCH_INTERVAL_MS = 60_000;
/** How long a key whose lookup met a store outage fails at once (the rate limiter and the delivery ask in turn). */
const OUTAGE_MEMORY_MS = 1000;
/** The name of the keys the development bootstrap creates (DEV_API_KEY or a printed one): refused in production. */
export const DEV_KEY_NAME = 'dev';

export interface IssuedKey {
  key: string;
  record: ApiKeyRow;
}

/** API keys: random, shown once, stored as sha256 only (they carry 256 bits; no slow hash needed). */
export class ApiKeyService {
  private readonly lastTouched = new Map<number, number>();
  /**
   * Verified keys by hash, trusted for `cacheSeconds`: a delivery costs no key lookup. A revocation
   * in this process takes effect at once; one made elsewhere (CLI, another instance) within the TTL.
   */
  private readonly verified?: LRUCache<string, ApiKeyRow>;
  /** Keys by hash whose lookup just met a store outage, with its error. */
  private readonly unreachable = new LRUCache<string, { err: unknown }>({ max: 10_000, ttl: OUTAGE_MEMORY_MS });

  constructor(
    private readonly db: Database,
    cacheSeconds = 0,
    private readonly production = false,
  ) {
    if (cacheSeconds > 0) this.verified = new LRUCache({ max: 10_000, ttl: cacheSeconds * 1000 });
  }

  async issue(opts: { clientId: string; flow?: string | null; name: string; key?: string }): Promise<IssuedKey> {
    const key = opts.key ?? `axk_${randomBytes(32).toString('base64url')}`;
    const record = await this.insert({ ...opts, key });
    if (!record) throw new GatewayError('GW_BUSINESS_ID_CONFLICT', 'That key already exists');
    return { key, record };
  }

  /**
   * Ensures a fixed key exists (DEV_API_KEY); returns false when it was already there. Instances
   * starting together may all find it missing: the key's unique hash lets one of them insert it.
   */
  async ensure(opts: { clientId: string; name: string; key: string }): Promise<boolean> {
    if (await apiKeyRepository.findActiveByHash(this.db, sha256(opts.key))) return false;
    return (await this.insert(opts)) !== null;
  }

  private insert(opts: {
    clientId: string;
    flow?: string | null;
    name: string;
    key: string;
  }): Promise<ApiKeyRow | null> {
    return apiKeyRepository.insert(this.db, {
      clientId: opts.clientId,
      flow: opts.flow ?? null,
      name: opts.name,
      keyPrefix: opts.key.slice(0, 10),
      keyHash: sha256(opts.key),
    });
  }

  list(opts: { clientId?: string | null; includeRevoked?: boolean } = {}): Promise<ApiKeyRow[]> {
    return apiKeyRepository.list(this.db, opts.clientId ?? null, opts.includeRevoked ?? false);
  }

  async revoke(id: number): Promise<ApiKeyRow> {
    const row = await apiKeyRepository.revoke(this.db, id);
    if (!row) throw new GatewayError('GW_NOT_FOUND', `No API key ${id}`);
    for (const [hash, cached] of this.verified?.entries() ?? []) if (cached.id === id) this.verified?.delete(hash);
    return row;
  }

  /** Resolves `x-api-key` to its key record, or throws 401. What the key opens is `authorize`'s to decide. */
  async authenticate(key: string | undefined): Promise<ApiKeyRow> {
    if (!key) throw new GatewayError('GW_UNAUTHENTICATED', 'Missing x-api-key header');
    const hash = sha256(key);
    const record = this.verified?.get(hash) ?? (await this.lookUp(hash));
    if (!record) throw new GatewayError('GW_UNAUTHENTICATED', 'Invalid API key');
    if (this.production && record.name === DEV_KEY_NAME) {
      throw new GatewayError('GW_UNAUTHENTICATED', 'Development keys are refused in production');
    }
    this.verified?.set(hash, record, { noUpdateTTL: true });
    this.touchLater(record.id);
    return record;
  }

  private async lookUp(hash: string): Promise<ApiKeyRow | null> {
    const outage = this.unreachable.get(hash);
    // A new error each time: each delivery refused counts once on its breaker.
    if (outage) throw new StoreUnavailableError('the store was unavailable a moment ago', { cause: outage.err });
    try {
      return await apiKeyRepository.findActiveByHash(this.db, hash);
    } catch (err) {
      if (isStoreUnavailable(err)) this.unreachable.set(hash, { err });
      throw err;
    }
  }

  /** last_used_at is advisory: written at most once a minute per key, off the request path. */
  private touchLater(id: number): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(id, now);
    // On the pool itself: bookkeeping, not part of any request's queries (db.queryCount).
    apiKeyRepository.touch(this.db.pool, id).catch(() => this.lastTouched.delete(id));
  }
}
