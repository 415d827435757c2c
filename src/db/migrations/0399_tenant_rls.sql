-- Row-level security for Supabase readers. The Next.js app may read Supabase directly with an
-- `authenticated` JWT; PostgREST then runs `set local role authenticated` and
-- `set local request.jwt.claims = '<claims>'`, and these policies show only the rows of the client
-- named by the claim `client_id` (top level or under app_metadata). The gateway connects as the
-- tables' owner, which bypasses RLS (policies are not FORCEd).
-- Numbered last in this range so it covers the flows' tables created before it; a later migration
-- that creates a business table calls `select hub_enable_tenant_rls('<table>');` (a test checks).

do $$ begin
  create role anon nologin;
exception when duplicate_object or unique_violation then null;
end $$;
do $$ begin
  create role authenticated nologin;
exception when duplicate_object or unique_violation then null;
end $$;

create or replace function hub_jwt_client_id() returns text language sql stable as $$
  select coalesce(claims ->> 'client_id', claims -> 'app_metadata' ->> 'client_id')
  from (select nullif(current_setting('request.jwt.claims', true), '')::jsonb as claims) c
$$;

-- Tables that only the gateway reads: credentials, raw deliveries, security records.
create or replace function hub_is_private_table(name text) returns boolean language sql immutable as $$
  select name in ('api_keys', 'webhook_secrets', 'webhook_signed_ids', 'client_security', 'quarantine', 'audit_log',
                  'webhook_events', 'clients', 'schema_migrations')
$$;

-- RLS on; a business table (with client_id) becomes readable by `authenticated` for its tenant's rows;
-- a private one is closed to `anon` and `authenticated` (Supabase grants them new tables by default).
create or replace function hub_enable_tenant_rls(tbl regclass) returns void language plpgsql as $$
declare
  tenant_column boolean;
  name text := (select relname from pg_class where oid = tbl);
begin
  select exists (select 1 from pg_attribute where attrelid = tbl and attname = 'client_id' and not attisdropped) into tenant_column;
  execute format('alter table %s enable row level security', tbl);
  execute format('drop policy if exists tenant_read on %s', tbl);
  if tenant_column and not hub_is_private_table(name) then
    execute format('create policy tenant_read on %s for select to authenticated using (client_id = (select hub_jwt_client_id()))', tbl);
    execute format('revoke all on %s from anon, authenticated', tbl);
    execute format('grant select on %s to authenticated', tbl);
  else
    execute format('revoke all on %s from anon, authenticated', tbl);
  end if;
end $$;

grant usage on schema public to anon, authenticated;

do $$
declare r record;
begin
  for r in select c.oid::regclass as tbl from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p')
  loop
    perform hub_enable_tenant_rls(r.tbl);
  end loop;
end $$;
