-- Purchases: suppliers (master data), orders with their items, the fiscal documents (NF-e) received
-- against them, and the per-sku divergence between what was ordered and what was received.

create table suppliers (
  client_id   text not null references clients(id),
  id          text not null,
  name        text,
  document    text,                      -- CNPJ (14 digits) or CPF (11)
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (client_id, id)
);

create table purchase_orders (
  client_id                  text not null,
  id                         text not null,
  supplier_id                text not null,
  destination_code           text not null,
  expected_on                date,
  ordered_at                 timestamptz not null,
  status                     text not null check (status in ('open', 'received', 'confirmed')),
  payload_hash               text not null,
  confirmed_at               timestamptz,
  confirmed_document_number  text,
  confirmation_hash          text,
  created_at                 timestamptz not null default now(),
  updated_at                 timestamptz not null default now(),
  primary key (client_id, id),
  foreign key (client_id, supplier_id) references suppliers (client_id, id),
  foreign key (client_id, destination_code) references locations (client_id, code)
);

create table purchase_order_items (
  client_id    text not null,
  order_id     text not null,
  line_no      int  not null,
  sku          text not null,
  description  text,
  quantity     int  not null check (quantity > 0),
  unit_cost    numeric(14,2) not null check (unit_cost >= 0),
  primary key (client_id, order_id, line_no),
  unique (client_id, order_id, sku),
  foreign key (client_id, order_id) references purchase_orders (client_id, id),
  foreign key (client_id, sku) references products (client_id, sku)
);

create table purchase_documents (
  client_id     text not null,
  order_id      text not null,
  number        text not null check (number ~ '^\d{9}$'),
  series        text not null check (series ~ '^\d{1,3}$'),
  access_key    text not null check (access_key ~ '^\d{44}$'),
  issued_at     timestamptz not null,
  received_at   timestamptz not null,
  payload_hash  text not null,
  created_at    timestamptz not null default now(),
  primary key (client_id, order_id, number),
  unique (client_id, access_key),
  foreign key (client_id, order_id) references purchase_orders (client_id, id)
);

create table purchase_document_items (
  client_id        text not null,
  order_id         text not null,
  document_number  text not null,
  sku              text not null,
  quantity         int  not null check (quantity > 0),
  primary key (client_id, order_id, document_number, sku),
  foreign key (client_id, order_id, document_number) references purchase_documents (client_id, order_id, number),
  foreign key (client_id, sku) references products (client_id, sku)
);

-- Ordered vs received (over all documents of the order) per sku; only skus that differ have a row.
create table purchase_divergences (
  client_id   text not null,
  order_id    text not null,
  sku         text not null,
  ordered     int  not null check (ordered >= 0),
  received    int  not null check (received >= 0),
  difference  int  not null check (difference <> 0 and difference = received - ordered),
  kind        text not null check (kind in ('over', 'under')),
  updated_at  timestamptz not null default now(),
  primary key (client_id, order_id, sku),
  foreign key (client_id, order_id) references purchase_orders (client_id, id),
  foreign key (client_id, sku) references products (client_id, sku)
);
