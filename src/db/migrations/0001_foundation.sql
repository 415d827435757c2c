-- Foundation: tenants, credentials, master data, the sales flow, the inventory ledger and the
-- webhook audit trail. Every business row carries its client id; money is numeric, times timestamptz.

create table clients (
  id          text primary key check (id ~ '^[a-z][a-z0-9-]{1,62}$'),
  name        text not null,
  timezone    text not null default 'UTC',
  settings    jsonb not null default '{}'::jsonb,
  created_at  timestamptz not null default now()
);

create table api_keys (
  id            bigserial primary key,
  client_id     text not null references clients(id),
  flow          text,                       -- null: valid for every flow of the client
  name          text not null,
  key_prefix    text not null,              -- first characters, to recognise a key in listings
  key_hash      text not null unique,       -- sha256 of the whole key; the key itself is never stored
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
create index api_keys_client on api_keys (client_id);

create table locations (
  client_id   text not null references clients(id),
  code        text not null,
  kind        text not null check (kind in ('store', 'distribution_center', 'other')),
  created_at  timestamptz not null default now(),
  primary key (client_id, code)
);

create table products (
  client_id    text not null references clients(id),
  sku          text not null,
  description  text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (client_id, sku)
);

create table customers (
  client_id    text not null references clients(id),
  id           text not null,
  name         text,
  email        text,
  document     text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (client_id, id)
);

create table sales (
  client_id            text not null,
  id                   text not null,
  store_code           text not null,
  channel              text not null,
  customer_id          text,
  sold_at              timestamptz not null,
  total                numeric(14,2) not null check (total >= 0),
  paid_amount          numeric(14,2) not null default 0 check (paid_amount >= 0),
  status               text not null check (status in ('open', 'paid', 'cancelled')),
  cancelled_at         timestamptz,
  cancellation_reason  text,
  payload_hash         text not null,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, store_code) references locations (client_id, code),
  foreign key (client_id, customer_id) references customers (client_id, id)
);
create index sales_page on sales (client_id, sold_at desc, id desc);
create index sales_customer on sales (client_id, customer_id, sold_at desc);

create table sale_items (
  client_id    text not null,
  sale_id      text not null,
  line_no      int  not null,
  sku          text not null,
  description  text,
  quantity     int  not null check (quantity > 0),
  unit_price   numeric(14,2) not null check (unit_price >= 0),
  discount     numeric(14,2) not null check (discount >= 0),
  line_total   numeric(14,2) not null,
  primary key (client_id, sale_id, line_no),
  foreign key (client_id, sale_id) references sales (client_id, id),
  foreign key (client_id, sku) references products (client_id, sku)
);

create table payments (
  client_id     text not null,
  id            text not null,
  sale_id       text not null,
  method        text not null,
  amount        numeric(14,2) not null check (amount > 0),
  installments  int not null default 1,
  paid_at       timestamptz not null,
  payload_hash  text not null,
  created_at    timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, sale_id) references sales (client_id, id)
);
create index payments_sale on payments (client_id, sale_id);

-- The inventory ledger: append-only. stock_levels is its running sum, maintained in the same
-- transaction as each movement (stock per location and sku = sum of its movements).
create table inventory_movements (
  id                  bigserial primary key,
  client_id           text not null,
  location_code       text not null,
  sku                 text not null,
  quantity_delta      int  not null check (quantity_delta <> 0),
  kind                text not null,
  source_type         text not null,
  source_id           text not null,
  occurred_at         timestamptz not null,
  recorded_at         timestamptz not null default now(),
  resulting_quantity  int not null,
  below_zero          boolean not null default false,  -- a recorded fact that disagrees with our stock
  foreign key (client_id, location_code) references locations (client_id, code),
  foreign key (client_id, sku) references products (client_id, sku)
);
create index inventory_movements_source on inventory_movements (client_id, source_type, source_id);
create index inventory_movements_position on inventory_movements (client_id, location_code, sku);
create index inventory_movements_below_zero on inventory_movements (client_id, recorded_at desc) where below_zero;

create table stock_levels (
  client_id      text not null,
  location_code  text not null,
  sku            text not null,
  quantity       int  not null default 0,
  updated_at     timestamptz not null default now(),
  primary key (client_id, location_code, sku),
  foreign key (client_id, location_code) references locations (client_id, code),
  foreign key (client_id, sku) references products (client_id, sku)
);

-- Every authenticated delivery, accepted or not. Only accepted ones hold their idempotency key.
create table webhook_events (
  id               uuid primary key default gen_random_uuid(),
  client_id        text not null references clients(id),
  flow             text not null,
  action           text not null,
  idempotency_key  text not null,
  business_id      text,
  payload_hash     text not null,
  payload          jsonb,
  raw_body         text not null,
  headers          jsonb not null default '{}'::jsonb,
  status           text not null check (status in ('processing', 'processed', 'duplicate', 'rejected', 'failed', 'queued', 'dead')),
  http_status      int,
  result           jsonb,
  error            jsonb,
  received_at      timestamptz not null,
  processed_at     timestamptz,
  duration_ms      numeric(12,3)
);
create unique index webhook_events_idempotency on webhook_events (client_id, idempotency_key)
  where status in ('processing', 'processed', 'queued');
create index webhook_events_recent on webhook_events (client_id, received_at desc, id desc);
create index webhook_events_flow on webhook_events (client_id, flow, received_at desc);
create index webhook_events_last_success on webhook_events (client_id, flow, processed_at desc) where status = 'processed';
