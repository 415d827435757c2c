import { merged, Queryable, send } from '../db/database';
import { rememberMasterData, unknownMasterData } from './master-data.cache';

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

export interface MasterData {
  locations?: string[];
  products?: Array<{ sku: string; description?: string | null }>;
  customer?: CustomerRow | null;
  /** Several customers at once (bulk loads); merged with `customer`, one row per id. */
  customers?: CustomerRow[];
}

/** Master data as it is registered: `customer` folded into `customers` (unknownMasterData's answer). */
export type MasterDataToRegister = Required<Pick<MasterData, 'locations' | 'products' | 'customers'>>;

/**
 * Master data arrives with the events: unknown stores, products and customers are registered
 * from the payload, in one round trip. Existing rows are never locked unless their data really
 * changes (INSERT … DO NOTHING, then an UPDATE that only matches changed rows), so concurrent
 * deliveries sharing products or customers don't queue behind each other. Inside a transaction the
 * statement is pipelined (nothing reads its result; later statements see its rows).
 */
export const masterDataRepository = {
  async register(q: Queryable, clientId: string, known: MasterData): Promise<void> {
    const data = unknownMasterData(q, clientId, known);
    if (!data) return;
    rememberMasterData(q, clientId, data);
    // What the units sharing a transaction register is one statement.
    await merged(q, `master-data:${clientId}`, data, async (q, each) => {
      await registerAll(q, clientId, {
        locations: each.flatMap((d) => d.locations),
        products: each.flatMap((d) => d.products),
        customers: each.flatMap((d) => d.customers),
      });
      return each.map(() => undefined);
    });
  },
  upsertLocations(q: Queryable, clientId: string, codes: string[]): Promise<void> {
    return masterDataRepository.register(q, clientId, { locations: codes });
  },

  upsertProducts(
    q: Queryable,
    clientId: string,
    products: Array<{ sku: string; description?: string | null }>,
  ): Promise<void> {
    return masterDataRepository.register(q, clientId, { products });
  },

  upsertCustomer(q: Queryable, clientId: string, customer: CustomerRow): Promise<void> {
    return masterDataRepository.register(q, clientId, { customer });
  },

  async locationsByCodes(q: Queryable, clientId: string, codes: readonly string[]): Promise<LocationRow[]> {
    const { rows } = await q.query<LocationRow>(
      `select code, kind from locations where client_id = $1 and code = any($2::text[])`,
      [clientId, codes],
    );
    return rows;
  },

  async productsBySkus(q: Queryable, clientId: string, skus: readonly string[]): Promise<ProductRow[]> {
    const { rows } = await q.query<ProductRow>(
      `select sku, description from products where client_id = $1 and sku = any($2::text[])`,
      [clientId, skus],
    );
    return rows;
  },

  async customersByIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<CustomerRow[]> {
    const { rows } = await q.query<CustomerRow>(
      `select id, name, email, document from customers where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },
};

/** One statement for all of `data` (sorted keys: concurrent registrations lock rows in one order). */
async function registerAll(q: Queryable, clientId: string, data: MasterDataToRegister): Promise<void> {
  const codes = [...new Set(data.locations)].sort();
  const bySku = new Map<string, string | null>();
  for (const p of data.products) bySku.set(p.sku, p.description ?? bySku.get(p.sku) ?? null);
  const skus = [...bySku.keys()].sort();
  const byId = new Map<string, CustomerRow>();
  for (const k of data.customers) byId.set(k.id, k);
  const cs = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  await send(
    q,
    `with
     loc as (
       insert into locations (client_id, code, kind)
       select $1, code, kind from unnest($2::text[], $3::text[]) as t(code, kind)
       on conflict do nothing),
     prod as (select * from unnest($4::text[], $5::text[]) as t(sku, description)),
     prod_new as (
       insert into products (client_id, sku, description) select $1, sku, description from prod
       on conflict do nothing),
     prod_changed as (
       update products p set description = prod.description, updated_at = now() from prod
        where p.client_id = $1 and p.sku = any($4::text[]) and p.sku = prod.sku and prod.description is not null
          and p.description is distinct from prod.description),
     cust as (select * from unnest($6::text[], $7::text[], $8::text[], $9::text[]) as t(id, name, email, document)),
     cust_new as (
       insert into customers (client_id, id, name, email, document) select $1, id, name, email, document from cust
       on conflict do nothing)
     update customers k set name = coalesce(cust.name, k.name), email = coalesce(cust.email, k.email),
            document = coalesce(cust.document, k.document), updated_at = now()
       from cust
      where k.client_id = $1 and k.id = any($6::text[]) and k.id = cust.id -- by key, whatever the cached plan
        and (k.name, k.email, k.document) is distinct from
            (coalesce(cust.name, k.name), coalesce(cust.email, k.email), coalesce(cust.document, k.document))`,
    [
      clientId,
      codes,
      codes.map(locationKind),
      skus,
      skus.map((s) => bySku.get(s)),
      cs.map((k) => k.id),
      cs.map((k) => k.name),
      cs.map((k) => k.email),
      cs.map((k) => k.document),
    ],
  );
}
