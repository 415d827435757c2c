-- Integration metrics history: minute and hour buckets per client/flow/action, aggregated from
-- webhook_events by a periodic job (never on the ingest path). action '*' is the whole flow, so its
-- percentiles are exact rather than averaged from the actions'.
create table integration_metrics (
  client_id     text not null references clients(id),
  flow          text not null,
  action        text not null,
  bucket        text not null check (bucket in ('minute', 'hour')),
  bucket_start  timestamptz not null,
  count         int not null,
  errors        int not null,
  p50_ms        numeric(12,3),
  p95_ms        numeric(12,3),
  p99_ms        numeric(12,3),
  max_ms        numeric(12,3),
  updated_at    timestamptz not null default now(),
  primary key (client_id, flow, action, bucket, bucket_start)
);
create index integration_metrics_retention on integration_metrics (bucket, bucket_start);

-- How far the aggregation job has gone (one row).
create table integration_metrics_state (
  id                smallint primary key default 1 check (id = 1),
  aggregated_until  timestamptz not null
);
