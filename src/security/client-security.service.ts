import { randomBytes } from 'node:crypto';
import { ClientSecurityDefaults } from '../clients/client-module';
import { clientModule } from '../clients/registry';
import { Database, Queryable } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { clientSecurityRepository, WebhookSecretRow } from './client-security.repository';
import { CidrList, isValidCidr } from './ip';

export interface ClientSecurity extends ClientSecurityDefaults {
  allowlist: CidrList;
}

const DEFAULTS: ClientSecurityDefaults = { schemes: 'api_key', ipAllowlist: [], rateLimits: {} };
/** Settings are read on every delivery; a short cache keeps that off the database. Writes here clear it. */
const CACHE_MS = 5_000;

/** Per-client webhook security: required schemes, IP allowlist, rate-limit overrides and signing secrets. */
export class ClientSecurityService {
  private readonly cache = new Map<string, { at: number; value: ClientSecurity; secrets?: WebhookSecretRow[] }>();

  constructor(private readonly db: Database) {}

  /**
   * The settings last read here, however old (`undefined`: none yet), for what must never wait for the
   * store (the rate limiter); what decides access reads `settingsOf`.
   */
  knownSettingsOf(clientId: string): ClientSecurity | undefined {
    return this.cache.get(clientId)?.value;
  }

  async settingsOf(clientId: string): Promise<ClientSecurity> {
    const hit = this.cache.get(clientId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const stored = await clientSecurityRepository.find(this.db, clientId);
    const base = { ...DEFAULTS, ...clientModule(clientId)?.security };
    const merged = stored ?? base;
    const value = { ...merged, allowlist: new CidrList(merged.ipAllowlist) };
    this.cache.set(clientId, { at: Date.now(), value });
    return value;
  }

  async activeSecrets(clientId: string): Promise<WebhookSecretRow[]> {
    await this.settingsOf(clientId);
    const entry = this.cache.get(clientId)!;
    entry.secrets ??= await clientSecurityRepository.activeSecrets(this.db, clientId);
    return entry.secrets;
  }

  async update(q: Queryable, clientId: string, patch: Partial<ClientSecurityDefaults>): Promise<ClientSecurity> {
    if (!clientModule(clientId)) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
    const bad = (patch.ipAllowlist ?? []).filter((c) => !isValidCidr(c));
    if (bad.length) {
      throw new GatewayError('GW_VALIDATION_FAILED', 'Invalid CIDR in the allowlist', {
        issues: bad.map((c) => ({
          path: 'ipAllowlist',
          code: 'invalid_cidr',
          message: `${c.slice(0, 64)} is not an IPv4/IPv6 address or CIDR`,
        })),
      });
    }
    const current = await this.settingsOf(clientId);
    const next: ClientSecurityDefaults = {
      schemes: patch.schemes ?? current.schemes,
      ipAllowlist: patch.ipAllowlist ?? current.ipAllowlist,
      rateLimits: patch.rateLimits ?? current.rateLimits,
    };
    await clientSecurityRepository.upsert(q, clientId, next);
    this.cache.delete(clientId);
    return { ...next, allowlist: new CidrList(next.ipAllowlist) };
  }

  /** A new signing secret (returned once, in the Standard Webhooks `whsec_<base64>` form). */
  async createSecret(
    q: Queryable,
    clientId: string,
    name: string,
    secret = `whsec_${randomBytes(32).toString('base64')}`,
  ): Promise<WebhookSecretRow> {
    if (!clientModule(clientId)) throw new GatewayError('GW_NOT_FOUND', `Unknown client ${clientId.slice(0, 64)}`);
    const row = await clientSecurityRepository.insertSecret(q, clientId, name, secret);
    this.cache.delete(clientId);
    return row;
  }

  async revokeSecret(q: Queryable, id: number): Promise<WebhookSecretRow> {
    const row = await clientSecurityRepository.revokeSecret(q, id);
    if (!row) throw new GatewayError('GW_NOT_FOUND', `No signing secret ${id}`);
    this.cache.delete(row.clientId);
    return row;
  }
}
