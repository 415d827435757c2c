-- The durable webhook queue: queued events carry the business entity they belong to (ordering),
-- their attempts so far, the code of their last failure (a parked event waits for its predecessor),
-- and their queue generation: a replay starts a new one, so jobs of an earlier one are void.
alter table webhook_events
  add column entity_key text,
  add column attempts int not null default 0,
  add column last_error_code text,
  add column queue_generation int not null default 0;

create index webhook_events_pending on webhook_events (client_id, flow, received_at) where status = 'queued';
create index webhook_events_entity_pending on webhook_events (client_id, entity_key, received_at, id) where status = 'queued';
create index webhook_events_dead on webhook_events (client_id, flow) where status in ('dead', 'failed');
create index webhook_events_processed_window on webhook_events (client_id, flow, processed_at) where processed_at is not null;
