import { Queryable } from '../db/database';

export interface SupplierRow {
  id: string;
  name: string | null;
  document: string | null;
}

/** Suppliers are master data that arrive with purchase orders: registered, and completed when later orders say more. */
export const supplierRepository = {
  async upsert(q: Queryable, clientId: string, s: SupplierRow): Promise<void> {
    await q.query(
      `insert into suppliers (client_id, id, name, document) values ($1, $2, $3, $4)
       on conflict (client_id, id) do update
         set name = coalesce(excluded.name, suppliers.name),
             document = coalesce(excluded.document, suppliers.document),
             updated_at = now()
         where (suppliers.name, suppliers.document)
           is distinct from (coalesce(excluded.name, suppliers.name), coalesce(excluded.document, suppliers.document))`,
      [clientId, s.id, s.name, s.document],
    );
  },

  async byIds(q: Queryable, clientId: string, ids: readonly string[]): Promise<SupplierRow[]> {
    const { rows } = await q.query<SupplierRow>(
      `select id, name, document from suppliers where client_id = $1 and id = any($2::text[])`,
      [clientId, ids],
    );
    return rows;
  },
};
