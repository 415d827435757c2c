import { Queryable } from '../db/database';

export interface ApiKeyRow {
  id: number;
  clientId: string;
  flow: string | null;
  name: string;
  keyPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, client_id as "clientId", flow, name, key_prefix as "keyPrefix", created_at as "createdAt",
  last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export const apiKeyRepository = {
  async insert(
    q: Queryable,
    k: { clientId: string; flow: string | null; name: string; keyPrefix: string; keyHash: string },
  ): Promise<ApiKeyRow | null> {
    const { rows } = await q.query<ApiKeyRow>(
      `insert into api_keys (client_id, flow, name, key_prefix, key_hash) values ($1, $2, $3, $4, $5)
       on conflict (key_hash) do nothing returning ${COLUMNS}`,
      [k.clientId, k.flow, k.name, k.keyPrefix, k.keyHash],
    );
    return rows[0] ?? null;
  },

  async findActiveByHash(q: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
    const { rows } = await q.query<ApiKeyRow>(
      `select ${COLUMNS} from api_keys where key_hash = $1 and revoked_at is null`,
      [keyHash],
    );
    return rows[0] ?? null;
  },

  async list(q: Queryable, clientId: string | null, includeRevoked: boolean): Promise<ApiKeyRow[]> {
    const { rows } = await q.query<ApiKeyRow>(
      `select ${COLUMNS} from api_keys
        where ($1::text is null or client_id = $1) and ($2 or revoked_at is null)
        order by client_id, created_at, id`,
      [clientId, includeRevoked],
    );
    return rows;
  },

  async findById(q: Queryable, id: number): Promise<ApiKeyRow | null> {
    const { rows } = await q.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
    return rows[0] ?? null;
  },

  /** Revokes the key (idempotent: the first revocation time is kept). */
  async revoke(q: Queryable, id: number): Promise<ApiKeyRow | null> {
    const { rows } = await q.query<ApiKeyRow>(
      `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  },

  async touch(q: Queryable, id: number): Promise<void> {
    await q.query(`update api_keys set last_used_at = now() where id = $1`, [id]);
  },
};
