-- ETL runs: one row per run, its checkpoints per stream, and the reconciliation outcome of every
-- document it looked at (missing/loaded, matched, different, extra, rejected).

create table etl_runs (
  id             uuid primary key default gen_random_uuid(),
  client_id      text not null references clients(id),
  kind           text not null check (kind in ('daily_batch', 'data_transformation')),
  business_date  date,                        -- daily_batch: the client's local business date
  transformation text,                        -- data_transformation: its name
  params         jsonb not null default '{}'::jsonb,
  status         text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  stage          text,
  extracted      int not null default 0,
  loaded         int not null default 0,
  skipped        int not null default 0,
  rejected       int not null default 0,
  attempts       int not null default 0,
  error          jsonb,
  requested_by   text not null,
  created_at     timestamptz not null default now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz not null default now()
);
-- One daily batch per client and business date: retries resume that run rather than start another.
create unique index etl_runs_one_daily_batch on etl_runs (client_id, business_date) where kind = 'daily_batch';
create index etl_runs_client_created on etl_runs (client_id, created_at desc, id desc);

-- How far each stream of a run has committed: `position` source records, loaded in the same
-- transaction as their effects, so a resumed run skips exactly what is already in.
create table etl_checkpoints (
  run_id      uuid not null references etl_runs(id) on delete cascade,
  stream      text not null,
  position    bigint not null default 0,
  done        boolean not null default false,
  updated_at  timestamptz not null default now(),
  primary key (run_id, stream)
);

create table etl_run_documents (
  run_id       uuid not null references etl_runs(id) on delete cascade,
  client_id    text not null,
  kind         text not null,               -- sale, payment, return, stock_position
  document_id  text not null,
  outcome      text not null check (outcome in ('loaded', 'matched', 'different', 'extra', 'rejected', 'skipped')),
  reason       text,
  details      jsonb,
  recorded_at  timestamptz not null default now(),
  primary key (run_id, kind, document_id)
);
create index etl_run_documents_outcome on etl_run_documents (run_id, outcome);
