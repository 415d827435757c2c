-- The ECA engine: rules are data per client; every firing is recorded; actions may tag customers
-- and record tasks.
create table rules (
  id          bigserial primary key,
  client_id   text not null references clients(id),
  name        text not null,
  event_type  text not null,
  conditions  jsonb not null,            -- json-rules-engine TopLevelCondition ({ all: [...] } / { any: [...] })
  actions     jsonb not null,            -- [{ type: 'alert' | 'webhook' | 'tag_customer' | 'task', ... }]
  enabled     boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (client_id, name)
);
create index rules_by_event on rules (client_id, event_type) where enabled;

-- One row per (rule, event): the unique key makes a firing happen at most once even when the same
-- event is evaluated twice (redelivered job, several instances).
create table rule_firings (
  id           bigserial primary key,
  client_id    text not null references clients(id),
  rule_id      bigint not null references rules(id),
  event_type   text not null,
  event_key    text not null,
  facts        jsonb not null,
  outcome      text not null check (outcome in ('running', 'succeeded', 'failed')),
  results      jsonb not null default '[]'::jsonb,
  duration_ms  numeric(12,3),
  fired_at     timestamptz not null default now(),
  unique (rule_id, event_key)
);
create index rule_firings_recent on rule_firings (client_id, fired_at desc, id desc);

create table customer_tags (
  client_id    text not null references clients(id),
  customer_id  text not null,
  tag          text not null,
  rule_id      bigint references rules(id),
  tagged_at    timestamptz not null default now(),
  primary key (client_id, customer_id, tag)
);

create table rule_tasks (
  id          bigserial primary key,
  client_id   text not null references clients(id),
  rule_id     bigint references rules(id),
  event_key   text not null,
  title       text not null,
  details     jsonb not null default '{}'::jsonb,
  status      text not null default 'open' check (status in ('open', 'done')),
  created_at  timestamptz not null default now()
);
create index rule_tasks_open on rule_tasks (client_id, created_at desc) where status = 'open';

-- Stock events are derived from the movements a delivery recorded: same client, same transaction
-- timestamp (recorded_at = now() = the event's processed_at).
create index inventory_movements_recorded on inventory_movements (client_id, recorded_at);
