import { LRUCache } from 'lru-cache';
import { databaseOf, Queryable, whenCommitted } from '../db/database';
import type { CustomerRow, MasterData, MasterDataToRegister } from './master-data.repository';

/**
 * Master data this process has seen committed recently, per database: a sale of a known store,
 * known products and an unchanged customer registers nothing (no statement at all). Entries are
 * added only after their transaction commits and expire after a minute, so a change made by
 * another instance is picked up at the latest then.
 */
const TTL_MS = 60_000;
const caches = new WeakMap<object, LRUCache<string, string>>();

function cacheFor(q: Queryable): LRUCache<string, string> {
  const db = databaseOf(q);
  let cache = caches.get(db);
  if (!cache) {
    cache = new LRUCache({ max: 100_000, ttl: TTL_MS });
    caches.set(db, cache);
  }
  return cache;
}

const keys = {
  location: (clientId: string, code: string) => `${clientId}\u0000L\u0000${code}`,
  product: (clientId: string, sku: string) => `${clientId}\u0000P\u0000${sku}`,
  customer: (clientId: string, id: string) => `${clientId}\u0000C\u0000${id}`,
};
const customerValue = (c: CustomerRow) => JSON.stringify([c.name, c.email, c.document]);

/** What of `data` is not known to be registered already (null when nothing is new). */
export function unknownMasterData(q: Queryable, clientId: string, data: MasterData): MasterDataToRegister | null {
  const cache = cacheFor(q);
  const locations = (data.locations ?? []).filter((code) => !cache.has(keys.location(clientId, code)));
  // A product is known with its description; a delivery without one changes nothing of a known product.
  const products = (data.products ?? []).filter((p) => {
    const known = cache.get(keys.product(clientId, p.sku));
    return known === undefined || (p.description != null && known !== p.description);
  });
  const customers = [...(data.customers ?? []), ...(data.customer ? [data.customer] : [])].filter(
    (c) => cache.get(keys.customer(clientId, c.id)) !== customerValue(c),
  );
  if (!locations.length && !products.length && !customers.length) return null;
  return { locations, products, customers };
}

/** Remembers `data` as registered once `q`'s transaction commits. */
export function rememberMasterData(q: Queryable, clientId: string, data: MasterDataToRegister): void {
  const cache = cacheFor(q);
  whenCommitted(q, () => {
    for (const code of data.locations) cache.set(keys.location(clientId, code), '');
    for (const p of data.products) {
      if (p.description != null || !cache.has(keys.product(clientId, p.sku)))
        cache.set(keys.product(clientId, p.sku), p.description ?? '');
    }
    for (const c of data.customers) cache.set(keys.customer(clientId, c.id), customerValue(c));
  });
}
