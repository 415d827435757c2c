-- The ingest hot path, continued (see 0710).

-- A sale's items are inserted by the statement that inserts the sale, and only for the sales that
-- statement inserted (saleRepository.insertManyWithItems), and nothing deletes sales: the write path
-- guarantees the reference by construction. Checking it cost two index lookups and two row locks
-- per sale, which bench:webhooks measured at 30–40% of PostgreSQL's CPU per register_sale.
alter table sale_items drop constraint if exists sale_items_client_id_sale_id_fkey;

-- A delivery's row is inserted when its idempotency key is claimed and updated with its result in
-- the same transaction. The row carries the payload twice (jsonb and the raw body), about 1.6 kB
-- compressed, so at fillfactor 85 the updated version rarely fits on its page: two updates in three
-- were not HOT and wrote an entry into each of the table's nine indexes. Half of each page is left
-- for those updated versions, so that UPDATE stays on its page and touches no index.
alter table webhook_events set (fillfactor = 50);
