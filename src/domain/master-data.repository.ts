import { Queryable } from '../db/database';

export type LocationKind = 'store' | 'distribution_center' | 'other';

export interface LocationRow {
  code: string;
  kind: LocationKind;
}
export interface ProductRow {
  sku: string;
  description: string | null;
}
export interface CustomerRow {
  id: string;
  name: string | null;
  email: string | null;
  document: string | null;
}

/** Banban's convention, shared by the design: stores are `LJ-…`, distribution centres `CD-…`. */
export function locationKind(code: string): LocationKind {
  if (code.startsWith('LJ-')) return 'store';
  if (code.startsWith('CD-')) return 'distribution_center';
  return 'other';
}

/**
 * Master data arrives with the events: unknown stores, products and customers are registered
 * from the payload. Inputs are de-duplicated and sorted so concurrent upserts lock rows in the
 * same order (no deadlocks between deliveries that share products).
 */
export const masterDataRepository = {
  async upsertLocations(q: Queryable, clientId: string, codes: string[]): Promise<void> {
    const unique = [...new Set(codes)].sort();
    await q.query(
      `insert into locations (client_id, code, kind)
       select $1, code, kind from unnest($2::text[], $3::text[]) as t(code, kind)
       on conflict do nothing`,
      [clientId, unique, unique.map(locationKind)],
    );
  },

  async upsertProducts(q: Queryable, clientId: string, products: Array<{ sku: string; description?: string | null }>): Promise<void> {
    const bySku = new Map<string, string | null>();
    for (const p of products) bySku.set(p.sku, p.description ?? bySku.get(p.sku) ?? null);
    const skus = [...bySku.keys()].sort();
    await q.query(
      `insert into products (client_id, sku, description)
       select $1, sku, description from unnest($2::text[], $3::text[]) as t(sku, description)
       on conflict (client_id, sku) do update
         set description = excluded.description, updated_at = now()
         where excluded.description is not null and products.description is distinct from excluded.description`,
      [clientId, skus, skus.map((s) => bySku.get(s))],
    );
  },

  async upsertCustomer(q: Queryable, clientId: string, c: CustomerRow): Promise<void> {
    await q.query(
      `insert into customers (client_id, id, name, email, document) values ($1, $2, $3, $4, $5)
       on conflict (client_id, id) do update
         set name = coalesce(excluded.name, customers.name),
             email = coalesce(excluded.email, customers.email),
             document = coalesce(excluded.document, customers.document),
             updated_at = now()
         where (customers.name, customers.email, customers.document)
           is distinct from (coalesce(excluded.name, customers.name), coalesce(excluded.email, customers.email), coalesce(excluded.document, customers.document))`,
      [clientId, c.id, c.name, c.email, c.document],
    );
  },

  async locationsByCodes(q: Queryable, clientId: string, codes: readonly string[]): Promise<LocationRow[]> {
    const { rows } = await q.query<LocationRow>(`select code, kind from locations where client_id = $1 and code = any($2::text[])`, [clientId, codes]);
    return rows;
  },

  async productsBySkus(q: Queryable, clientId: string, skus: readonly string[]): Promise<ProductRow[]> {
    const { rows } = await q.query<ProductRow>(`select sku, description from products where client_id = $1 and sku = any($2::text[])`, [clientId, skus]);
    return rows;
  },

  async customersByIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<CustomerRow[]> {
    const { rows } = await q.query<CustomerRow>(`select id, name, email, document from customers where client_id = $1 and id = any($2::text[])`, [clientId, ids]);
    return rows;
  },
};
