-- Row-level security for the ETL tables: the same tenant policy as every business table.
do $$
declare r record;
begin
  for r in select c.oid::regclass as tbl from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p')
  loop
    perform hub_enable_tenant_rls(r.tbl);
  end loop;
end $$;
