-- Row-level security for every table of the public schema (idempotent): later migrations that add
-- tables call hub_enable_tenant_rls_everywhere() at their end.
create or replace function hub_enable_tenant_rls_everywhere() returns void language plpgsql as $$
declare r record;
begin
  for r in select c.oid::regclass as tbl from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p')
  loop
    perform hub_enable_tenant_rls(r.tbl);
  end loop;
end $$;

select hub_enable_tenant_rls_everywhere();
