import { Queryable } from '../db/database';
import type { ClientSecurityDefaults } from '../clients/client-module';

export interface WebhookSecretRow {
  id: number;
  clientId: string;
  name: string;
  secret: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const SECRET_COLUMNS = `id, client_id as "clientId", name, secret, created_at as "createdAt",
  revoked_at as "revokedAt"`;

export const clientSecurityRepository = {
  async find(q: Queryable, clientId: string): Promise<ClientSecurityDefaults | null> {
    const { rows } = await q.query<ClientSecurityDefaults>(
      `select schemes, ip_allowlist as "ipAllowlist", rate_limits as "rateLimits"
         from client_security where client_id = $1`,
      [clientId],
    );
    return rows[0] ?? null;
  },

  async upsert(q: Queryable, clientId: string, s: ClientSecurityDefaults): Promise<void> {
    await q.query(
      `insert into client_security (client_id, schemes, ip_allowlist, rate_limits) values ($1, $2, $3, $4)
       on conflict (client_id) do update set schemes = excluded.schemes, ip_allowlist = excluded.ip_allowlist,
         rate_limits = excluded.rate_limits, updated_at = now()`,
      [clientId, s.schemes, s.ipAllowlist, JSON.stringify(s.rateLimits)],
    );
  },

  async activeSecrets(q: Queryable, clientId: string): Promise<WebhookSecretRow[]> {
    const { rows } = await q.query<WebhookSecretRow>(
      `select ${SECRET_COLUMNS} from webhook_secrets where client_id = $1 and revoked_at is null order by id`,
      [clientId],
    );
    return rows;
  },

  async listSecrets(q: Queryable, clientId: string | null): Promise<WebhookSecretRow[]> {
    const { rows } = await q.query<WebhookSecretRow>(
      `select ${SECRET_COLUMNS} from webhook_secrets where $1::text is null or client_id = $1 order by client_id, id`,
      [clientId],
    );
    return rows;
  },

  async insertSecret(q: Queryable, clientId: string, name: string, secret: string): Promise<WebhookSecretRow> {
    const { rows } = await q.query<WebhookSecretRow>(
      `insert into webhook_secrets (client_id, name, secret) values ($1, $2, $3) returning ${SECRET_COLUMNS}`,
      [clientId, name, secret],
    );
    return rows[0];
  },

  async revokeSecret(q: Queryable, id: number): Promise<WebhookSecretRow | null> {
    const { rows } = await q.query<WebhookSecretRow>(
      `update webhook_secrets set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${SECRET_COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  },

  /**
   * Remembers a signed delivery's webhook-id with its body hash. Returns the hash first seen under
   * that id (equal to `bodyHash` for a new id or an identical redelivery).
   */
  async rememberSignedId(q: Queryable, clientId: string, webhookId: string, bodyHash: string): Promise<string> {
    const { rows } = await q.query<{ bodyHash: string }>(
      `with ins as (
         insert into webhook_signed_ids (client_id, webhook_id, body_hash) values ($1, $2, $3)
         on conflict (client_id, webhook_id) do nothing returning body_hash)
       select body_hash as "bodyHash" from ins
       union all
       select body_hash from webhook_signed_ids where client_id = $1 and webhook_id = $2
       limit 1`,
      [clientId, webhookId, bodyHash],
    );
    if (rows[0]) return rows[0].bodyHash;
    // A concurrent delivery with the same id committed after our statement's snapshot: read it now.
    const again = await q.query<{ bodyHash: string }>(
      `select body_hash as "bodyHash" from webhook_signed_ids where client_id = $1 and webhook_id = $2`,
      [clientId, webhookId],
    );
    return again.rows[0]?.bodyHash ?? bodyHash;
  },

  /** Ids older than the replay horizon can go: their timestamps are refused anyway. */
  async forgetSignedIdsBefore(q: Queryable, before: Date): Promise<void> {
    await q.query(`delete from webhook_signed_ids where seen_at < $1`, [before]);
  },
};
