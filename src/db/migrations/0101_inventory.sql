-- Inventory: adjustments (each one a ledger movement) and snapshots that freeze stock per location.

create table inventory_adjustments (
  client_id       text not null,
  id              text not null,
  location_code   text not null,
  sku             text not null,
  quantity_delta  int  not null check (quantity_delta <> 0),
  reason          text not null,
  adjusted_at     timestamptz not null,
  payload_hash    text not null,
  created_at      timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, location_code) references locations (client_id, code),
  foreign key (client_id, sku) references products (client_id, sku)
);

create table inventory_snapshots (
  client_id      text not null,
  id             text not null,
  location_code  text,                   -- null: every location of the client
  taken_at       timestamptz not null,
  payload_hash   text not null,
  created_at     timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, location_code) references locations (client_id, code)
);

create table inventory_snapshot_lines (
  client_id      text not null,
  snapshot_id    text not null,
  location_code  text not null,
  sku            text not null,
  quantity       int  not null,
  primary key (client_id, snapshot_id, location_code, sku),
  foreign key (client_id, snapshot_id) references inventory_snapshots (client_id, id)
);

-- The as-of computation of a snapshot reads the ledger by position and time.
create index inventory_movements_as_of on inventory_movements (client_id, location_code, occurred_at);
