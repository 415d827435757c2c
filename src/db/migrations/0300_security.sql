-- Security: per-client webhook settings and signing secrets, seen webhook ids, the quarantine of
-- refused deliveries and the audit trail of every mutation.

-- Per-client security settings; a client without a row uses its module's defaults.
create table client_security (
  client_id     text primary key references clients(id),
  schemes       text not null check (schemes in ('api_key', 'signature', 'both')),
  ip_allowlist  text[] not null default '{}',   -- CIDRs (IPv4/IPv6); empty: any address
  rate_limits   jsonb not null default '{}'::jsonb,  -- per endpoint overrides: {"webhooks": 600, "graphql": 300}
  updated_at    timestamptz not null default now()
);

-- Standard Webhooks signing secrets (`whsec_…`). Several may be active at once for rotation.
-- HMAC needs the secret itself, so it is stored, readable only by the gateway's role.
create table webhook_secrets (
  id          bigserial primary key,
  client_id   text not null references clients(id),
  name        text not null,
  secret      text not null check (secret ~ '^whsec_'),
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);
create index webhook_secrets_client on webhook_secrets (client_id) where revoked_at is null;

-- webhook-id of each signed delivery with the hash of its raw body: the same id with another body is refused.
create table webhook_signed_ids (
  client_id   text not null,
  webhook_id  text not null,
  body_hash   text not null,
  seen_at     timestamptz not null default now(),
  primary key (client_id, webhook_id)
);
create index webhook_signed_ids_age on webhook_signed_ids (seen_at);

-- Deliveries refused before they were understood (authentication, signature, allowlist): no effects.
create table quarantine (
  id          uuid primary key default gen_random_uuid(),
  client_id   text,
  flow        text,
  reason      text not null,
  message     text not null,
  ip          text,
  headers     jsonb not null default '{}'::jsonb,
  body_size   int not null default 0,
  received_at timestamptz not null default now()
);
create index quarantine_recent on quarantine (received_at desc, id desc);
create index quarantine_client on quarantine (client_id, received_at desc);

-- Who did what, when, from where, with what outcome: every mutation, key change and replay.
create table audit_log (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  client_id   text,
  actor       text not null,            -- api-key:<name>, jwt:<sub>, cli:<user>
  role        text,
  source      text not null check (source in ('rest', 'graphql', 'cli')),
  action      text not null,            -- e.g. sales-flow/register_sale, mutation createApiKey
  target      text,
  ip          text,
  outcome     text not null,            -- ok | refused:<code> | failed:<code>
  details     jsonb
);
create index audit_log_recent on audit_log (at desc, id desc);
create index audit_log_client on audit_log (client_id, at desc);
