-- customer_rfm holds the current scores of every customer of a client, re-scored together (the whole
-- client as of one date, see rescoreClientSql), not one by one against a snapshot's bounds.
alter table customer_rfm drop column scored_against;
comment on table customer_rfm is
  'Current RFM scores of every customer of a client, as of as_of (all rows of a client share it); equal to a rebuild as of that date';
