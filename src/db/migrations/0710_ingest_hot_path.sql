-- The ingest hot path: fewer locks and index writes per delivery.

-- Foreign keys from the high-volume fact tables to shared master-data rows are dropped.
--
-- Every INSERT checking such a key takes FOR KEY SHARE on the parent row. When many deliveries run
-- at once they all lock the same few rows (the client, the store, the best-selling products), and
-- PostgreSQL records each additional locker in a new MultiXact — measured at ~2.3 MultiXacts per
-- register_sale under 32 concurrent deliveries, with the MultiXact SLRU and lock-manager waits on
-- the ingest path. The references are guaranteed by the write path instead: the domain services
-- register a fact's store, products and customer (masterDataRepository.register) in the same
-- transaction as the fact, and nothing deletes master data. Foreign keys between a fact and rows
-- created in the same transaction (sale → its items, transfer → its items, …) and those of
-- low-volume tables stay.
alter table webhook_events drop constraint if exists webhook_events_client_id_fkey;
alter table sales drop constraint if exists sales_client_id_customer_id_fkey;
alter table sales drop constraint if exists sales_client_id_store_code_fkey;
alter table sale_items drop constraint if exists sale_items_client_id_sku_fkey;
alter table inventory_movements drop constraint if exists inventory_movements_client_id_sku_fkey;
alter table inventory_movements drop constraint if exists inventory_movements_client_id_location_code_fkey;
alter table stock_levels drop constraint if exists stock_levels_client_id_location_code_fkey;
alter table stock_levels drop constraint if exists stock_levels_client_id_sku_fkey;

-- A delivery's row is claimed and then given its result in the same transaction; room on the page
-- lets that UPDATE stay a heap-only (HOT) update, which writes no index entry.
alter table webhook_events set (fillfactor = 85);
