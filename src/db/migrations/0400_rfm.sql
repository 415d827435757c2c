-- RFM analytics: the segment map (data), dated snapshots written by the one-pass rebuild, the
-- quintile bounds of each rebuild (to score one customer between rebuilds), and the current scores
-- of customers updated since the latest snapshot.

-- The standard RFM segment map on (R score, FM score), FM = (F + M + 1) / 2 (the average, rounded
-- half up). Every one of the 25 cells has a segment; see README "Analytics and rules".
create table rfm_segment_map (
  r_score   smallint not null check (r_score between 1 and 5),
  fm_score  smallint not null check (fm_score between 1 and 5),
  segment   text not null,
  primary key (r_score, fm_score)
);
insert into rfm_segment_map (r_score, fm_score, segment) values
  (5, 1, 'New Customers'),  (5, 2, 'Potential Loyalists'), (5, 3, 'Potential Loyalists'), (5, 4, 'Champions'),       (5, 5, 'Champions'),
  (4, 1, 'Promising'),      (4, 2, 'Potential Loyalists'), (4, 3, 'Loyal Customers'),     (4, 4, 'Champions'),       (4, 5, 'Champions'),
  (3, 1, 'About To Sleep'), (3, 2, 'Need Attention'),      (3, 3, 'Need Attention'),      (3, 4, 'Loyal Customers'), (3, 5, 'Loyal Customers'),
  (2, 1, 'Hibernating'),    (2, 2, 'Hibernating'),         (2, 3, 'At Risk'),             (2, 4, 'At Risk'),         (2, 5, 'Cannot Lose Them'),
  (1, 1, 'Lost'),           (1, 2, 'Lost'),                (1, 3, 'At Risk'),             (1, 4, 'At Risk'),         (1, 5, 'Cannot Lose Them');

-- One row per customer with at least one purchase standing at the end of `as_of` (client's timezone).
-- No foreign key and no secondary index: the rebuild writes 100,000s of rows in one statement, and
-- its rfm_runs row (same statement) is the referential anchor.
create table rfm_snapshots (
  client_id     text not null,
  as_of         date not null,
  customer_id   text not null,
  recency_days  int not null,
  frequency     int not null,
  monetary      numeric(14,2) not null,
  r_score       smallint not null,
  f_score       smallint not null,
  m_score       smallint not null,
  segment       text not null,
  primary key (client_id, as_of, customer_id)
);

-- One row per rebuild. Bounds per score 1..5: recency = the largest recency in the quintile,
-- frequency/monetary = the smallest value in it (null where a quintile is empty).
create table rfm_runs (
  client_id    text not null references clients(id),
  as_of        date not null,
  customers    int not null,
  r_bounds     int[] not null,
  f_bounds     int[] not null,
  m_bounds     numeric[] not null,
  computed_at  timestamptz not null default now(),
  duration_ms  numeric(12,3),
  primary key (client_id, as_of)
);

-- Customers re-scored after a sale, cancellation or return since the latest snapshot, against that
-- snapshot's bounds. A rebuild for a later date makes these rows obsolete and removes them.
create table customer_rfm (
  client_id       text not null references clients(id),
  customer_id     text not null,
  as_of           date not null,
  scored_against  date not null,           -- the rfm_runs.as_of whose bounds scored this row
  recency_days    int not null,
  frequency       int not null,
  monetary        numeric(14,2) not null,
  r_score         smallint not null,
  f_score         smallint not null,
  m_score         smallint not null,
  segment         text not null,
  updated_at      timestamptz not null default now(),
  primary key (client_id, customer_id)
);
