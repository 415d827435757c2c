-- Transfers between locations (a state machine with tracking history) and returns of sales with
-- their refunds. Stock effects live in inventory_movements (source_type 'transfer' / 'return').

create table transfers (
  client_id         text not null,
  id                text not null,
  origin_code       text not null,
  destination_code  text not null,
  status            text not null check (status in ('created', 'shipped', 'received', 'received_with_divergence')),
  created_at        timestamptz not null,          -- when the ERP created the transfer
  shipped_at        timestamptz,
  received_at       timestamptz,
  carrier           text,
  tracking_code     text,
  payload_hash      text not null,                 -- of the create_transfer content
  recorded_at       timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (client_id, id),
  check (origin_code <> destination_code),
  foreign key (client_id, origin_code) references locations (client_id, code),
  foreign key (client_id, destination_code) references locations (client_id, code)
);
create index transfers_page on transfers (client_id, created_at desc, id desc);
create index transfers_status_page on transfers (client_id, status, created_at desc, id desc);

-- One row per sku: what was sent and, once received, what arrived (divergence = received − sent).
-- A sku that arrived without being sent is recorded with quantity_sent 0.
create table transfer_items (
  client_id          text not null,
  transfer_id        text not null,
  line_no            int  not null,
  sku                text not null,
  quantity_sent      int  not null check (quantity_sent >= 0),
  quantity_received  int  check (quantity_received >= 0),
  divergence         int  generated always as (quantity_received - quantity_sent) stored,
  primary key (client_id, transfer_id, sku),
  unique (client_id, transfer_id, line_no),
  foreign key (client_id, transfer_id) references transfers (client_id, id),
  foreign key (client_id, sku) references products (client_id, sku)
);

-- The tracking history: one row per transition, timestamped by the ERP and by us.
create table transfer_events (
  id             bigserial primary key,
  client_id      text not null,
  transfer_id    text not null,
  status         text not null check (status in ('created', 'shipped', 'received', 'received_with_divergence')),
  occurred_at    timestamptz not null,
  carrier        text,
  tracking_code  text,
  payload_hash   text not null,                   -- content of the transition, to recognise a redelivery
  recorded_at    timestamptz not null default now(),
  foreign key (client_id, transfer_id) references transfers (client_id, id)
);
create index transfer_events_transfer on transfer_events (client_id, transfer_id, id);

create table returns (
  client_id        text not null,
  id               text not null,
  sale_id          text not null,
  store_code       text not null,
  returned_at      timestamptz not null,
  value            numeric(14,2) not null check (value >= 0),   -- the returned items as sold, after discounts
  refunded_amount  numeric(14,2) not null default 0 check (refunded_amount >= 0 and refunded_amount <= value),
  payload_hash     text not null,
  recorded_at      timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, sale_id) references sales (client_id, id),
  foreign key (client_id, store_code) references locations (client_id, code)
);
create index returns_sale on returns (client_id, sale_id, returned_at, id);

create table return_items (
  client_id  text not null,
  return_id  text not null,
  line_no    int  not null,
  sku        text not null,
  quantity   int  not null check (quantity > 0),
  reason     text,
  value      numeric(14,2) not null check (value >= 0),
  primary key (client_id, return_id, line_no),
  foreign key (client_id, return_id) references returns (client_id, id),
  foreign key (client_id, sku) references products (client_id, sku)
);

create table refunds (
  client_id     text not null,
  id            text not null,
  return_id     text not null,
  method        text not null,
  amount        numeric(14,2) not null check (amount > 0),
  refunded_at   timestamptz not null,
  payload_hash  text not null,
  recorded_at   timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, return_id) references returns (client_id, id)
);
create index refunds_return on refunds (client_id, return_id, refunded_at, id);
