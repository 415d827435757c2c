-- Row-level security for the ETL tables: the same tenant policy as every business table.
select hub_enable_tenant_rls_everywhere();
