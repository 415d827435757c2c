import { createTestDatabase, TestDatabase } from '../support/test-db';
import { Transaction } from '../../src/db/database';

/**
 * Supabase readers, the way PostgREST does it: in a transaction, `set local role authenticated` and
 * `set local request.jwt.claims`, then query. Each tenant sees its own rows only.
 */
let d: TestDatabase;
beforeAll(async () => {
  d = await createTestDatabase();
  await d.db.query(`insert into clients (id, name) values ('banban', 'Banban'), ('acme', 'Acme')`);
  for (const c of ['banban', 'acme']) {
    await d.db.query(`insert into locations (client_id, code, kind) values ($1, 'LJ-001', 'store')`, [c]);
    await d.db.query(`insert into products (client_id, sku) values ($1, 'SKU-1')`, [c]);
    await d.db.query(`insert into customers (client_id, id, name) values ($1, 'C-1', $1)`, [c]);
    await d.db.query(
      `insert into sales (client_id, id, store_code, channel, customer_id, sold_at, total, status, payload_hash)
       values ($1, 'S-' || $1, 'LJ-001', 'store', 'C-1', now(), 10, 'open', 'h')`,
      [c],
    );
    await d.db.query(
      `insert into sale_items (client_id, sale_id, line_no, sku, quantity, unit_price, discount, line_total)
       values ($1, 'S-' || $1, 1, 'SKU-1', 1, 10, 0, 10)`,
      [c],
    );
    await d.db.query(
      `insert into api_keys (client_id, name, key_prefix, key_hash) values ($1, 'k', 'axk_', 'hash-' || $1)`,
      [c],
    );
    await d.db.query(
      `insert into webhook_events
              (client_id, flow, action, idempotency_key, payload_hash, raw_body, status, received_at)
       values ($1, 'sales', 'register_sale', 'k', 'h', '{}', 'processed', now())`,
      [c],
    );
  }
});
afterAll(() => d.drop());

async function asReader<T>(
  role: 'authenticated' | 'anon',
  claims: Record<string, unknown> | null,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return d.db.transaction(async (tx) => {
    await tx.query(`set local role ${role}`);
    if (claims) await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return fn(tx);
  });
}

const BUSINESS = ['locations', 'products', 'customers', 'sales', 'sale_items'];

describe('row-level security', () => {
  it.each(BUSINESS)('%s: an authenticated tenant reads only its own rows', async (table) => {
    for (const client of ['banban', 'acme']) {
      const rows = await asReader(
        'authenticated',
        { role: 'authenticated', sub: 'u', client_id: client },
        async (tx) => (await tx.query(`select client_id from ${table}`)).rows,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.client_id))).toEqual(new Set([client]));
    }
  });

  it('the claim may sit under app_metadata (Supabase custom claims)', async () => {
    const rows = await asReader(
      'authenticated',
      { role: 'authenticated', app_metadata: { client_id: 'acme' } },
      async (tx) => (await tx.query(`select id from sales`)).rows,
    );
    expect(rows).toEqual([{ id: 'S-acme' }]);
  });

  it('no claims, or a tenant with no rows, sees nothing; a forged filter changes nothing', async () => {
    expect(await asReader('authenticated', null, async (tx) => (await tx.query(`select * from sales`)).rows)).toEqual(
      [],
    );
    expect(
      await asReader(
        'authenticated',
        { client_id: 'nobody' },
        async (tx) => (await tx.query(`select * from sales`)).rows,
      ),
    ).toEqual([]);
    const forged = await asReader(
      'authenticated',
      { client_id: 'acme' },
      async (tx) => (await tx.query(`select id from sales where client_id = 'banban'`)).rows,
    );
    expect(forged).toEqual([]);
  });

  it('readers cannot write', async () => {
    await expect(
      asReader('authenticated', { client_id: 'acme' }, (tx) =>
        tx.query(`update sales set total = 0 where client_id = 'acme'`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asReader('authenticated', { client_id: 'acme' }, (tx) =>
        tx.query(`insert into products (client_id, sku) values ('acme', 'X')`),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it.each(['api_keys', 'webhook_events', 'audit_log', 'quarantine', 'webhook_secrets', 'client_security', 'clients'])(
    '%s is closed to readers',
    async (table) => {
      await expect(
        asReader('authenticated', { client_id: 'acme' }, (tx) => tx.query(`select * from ${table}`)),
      ).rejects.toThrow(/permission denied/);
    },
  );

  it('anon reads nothing', async () => {
    await expect(asReader('anon', null, (tx) => tx.query(`select * from sales`))).rejects.toThrow(/permission denied/);
  });

  it("the gateway's own connection (the tables' owner) sees every tenant", async () => {
    const { rows } = await d.db.query(`select count(distinct client_id)::int as n from sales`);
    expect(rows[0].n).toBe(2);
  });

  it('every table in public has RLS on (a new table must call hub_enable_tenant_rls)', async () => {
    const { rows } = await d.db.query(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1`,
    );
    expect(rows.map((r) => r.relname)).toEqual([]);
  });

  it('every business table (with client_id, not private) has the tenant policy for authenticated', async () => {
    const { rows } = await d.db.query(
      `select c.table_name, p.policyname, p.roles::text as roles from information_schema.columns c
         left join pg_policies p
                on p.schemaname = 'public' and p.tablename = c.table_name and p.policyname = 'tenant_read'
        where c.table_schema = 'public' and c.column_name = 'client_id'
          and not hub_is_private_table(c.table_name::text)
        order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows)
      expect({ table: r.table_name, policy: r.policyname, roles: r.roles }).toEqual({
        table: r.table_name,
        policy: 'tenant_read',
        roles: '{authenticated}',
      });
  });

  it('the migration is idempotent about roles (another database on the same server already created them)', async () => {
    const other = await createTestDatabase();
    await other.drop();
  });
});
