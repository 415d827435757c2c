import { LRUCache } from 'lru-cache';
import { Webhook } from 'standardwebhooks';
import type { ApiKeyService } from '../auth/api-key.service';
import { authorizeDelivery } from '../auth/authorize';
import { clientModule } from '../clients/registry';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { isStoreUnavailable, toGatewayError } from '../errors/to-gateway-error';
import type { Principal } from '../schema/context';
import { sha256 } from '../shared/hash';
import type { FlowDefinition } from '../webhooks/flow-definition';
import { clientSecurityRepository } from './client-security.repository';
import { ClientSecurityService } from './client-security.service';
import { CidrList, clientIp } from './ip';
import { quarantineRepository } from './quarantine.repository';
import { verificationFailures } from './security-metrics';

type Headers = Record<string, string | string[] | undefined>;

export interface WebhookCredentials {
  flow: FlowDefinition;
  headers: Headers;
  rawBody: string;
  /** The socket peer's address. */
  peer?: string;
}

export interface Authenticated {
  principal: Principal;
  ip: string | undefined;
}

/** Standard Webhooks: timestamps more than 5 minutes away from now (either way) are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
const SIGNED_ID_HORIZON_MS = 24 * 3600_000;
const QUARANTINED_HEADERS = [
  'user-agent',
  'content-type',
  'x-forwarded-for',
  'x-client-id',
  'webhook-id',
  'webhook-timestamp',
  'x-request-id',
];

function single(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The `authenticate` step of the webhook pipeline: who sends (API key, or `x-client-id` for
 * signature-only clients), from where (allowlist, trusted proxies), and whether the delivery carries
 * what the client's settings require (API key, Standard Webhooks signature, or both). Every refusal is
 * quarantined and counted before it is thrown.
 */
export class WebhookAuthenticator {
  private readonly trustedProxies: CidrList;
  /** The client of each API key verified here (by its hash): whom a store outage met checking it again concerns. */
  private readonly lastClients = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly deps: {
      db: Database;
      apiKeys: ApiKeyService;
      security: ClientSecurityService;
      trustedProxies: readonly string[];
    },
  ) {
    this.trustedProxies = new CidrList(deps.trustedProxies);
  }

  ipOf(peer: string | undefined, headers: Headers): string | undefined {
    return clientIp(peer, headers['x-forwarded-for'], this.trustedProxies);
  }

  /**
   * The client these credentials named when this instance last verified them (a claimed `x-client-id`
   * as is): not proof of anything, only whose breaker a store outage met while checking them counts on.
   */
  lastClientOf(headers: Headers): string | undefined {
    const key = single(headers, 'x-api-key');
    if (key !== undefined) return this.lastClients.get(sha256(key));
    const claimed = single(headers, 'x-client-id');
    return claimed !== undefined && clientModule(claimed) ? claimed : undefined;
  }

  async authenticate(c: WebhookCredentials): Promise<Authenticated> {
    const ip = this.ipOf(c.peer, c.headers);
    let clientId: string | null = null;
    try {
      const key = single(c.headers, 'x-api-key');
      let subject: string;
      let flow: string | undefined;
      if (key !== undefined) {
        const record = await this.deps.apiKeys.authenticate(key);
        clientId = record.clientId;
        subject = `api-key:${record.name}`;
        flow = record.flow ?? undefined;
        authorizeDelivery({ clientId, role: 'webhook', subject, flow }, c.flow.key);
      } else {
        const claimed = single(c.headers, 'x-client-id');
        if (claimed === undefined || !clientModule(claimed))
          throw new GatewayError('GW_UNAUTHENTICATED', 'Missing x-api-key header');
        clientId = claimed;
        subject = 'signature';
      }
      const settings = await this.deps.security.settingsOf(clientId);
      if (!settings.allowlist.empty && !settings.allowlist.contains(ip)) {
        throw new GatewayError('GW_IP_NOT_ALLOWED', 'This address may not deliver for this client');
      }
      if (settings.schemes !== 'signature' && key === undefined)
        throw new GatewayError('GW_UNAUTHENTICATED', 'Missing x-api-key header');
      const signed = single(c.headers, 'webhook-signature') !== undefined;
      if (settings.schemes !== 'api_key' || signed) {
        const secret = await this.verifySignature(clientId, c);
        if (key === undefined) subject = `signature:${secret}`;
      }
      const client = clientModule(clientId);
      if (!client || !client.flows.includes(c.flow.key as never)) {
        throw new GatewayError('GW_UNKNOWN_FLOW', `The ${c.flow.path} flow is not enabled for this client`);
      }
      if (key !== undefined) this.lastClients.set(sha256(key), clientId);
      return { principal: { clientId, role: 'webhook', subject, ...(flow && { flow }) }, ip };
    } catch (err) {
      // The store failing is no verdict on the credentials (and quarantining it would need the store).
      if (!isStoreUnavailable(err)) await this.quarantine(c, clientId, ip, err);
      throw err;
    }
  }

  /** Returns the name of the secret that verified the delivery. */
  private async verifySignature(clientId: string, c: WebhookCredentials): Promise<string> {
    const id = single(c.headers, 'webhook-id');
    const timestamp = single(c.headers, 'webhook-timestamp');
    const signature = single(c.headers, 'webhook-signature');
    if (!id || !timestamp || !signature) {
      throw new GatewayError(
        'GW_SIGNATURE_REQUIRED',
        'This client must sign deliveries: webhook-id, webhook-timestamp and webhook-signature are required',
      );
    }
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(seconds) || Math.abs(Date.now() / 1000 - seconds) > SIGNATURE_TOLERANCE_SECONDS) {
      throw new GatewayError(
        'GW_TIMESTAMP_OUT_OF_TOLERANCE',
        `webhook-timestamp must be within ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes of now`,
      );
    }
    const secrets = await this.deps.security.activeSecrets(clientId);
    const match = secrets.find((s) => {
      try {
        new Webhook(s.secret).verify(
          c.rawBody,
          { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
          { jsonParse: false },
        );
        return true;
      } catch {
        return false;
      }
    });
    if (!match) throw new GatewayError('GW_SIGNATURE_INVALID', 'The webhook signature does not match');
    const bodyHash = sha256(c.rawBody);
    const first = await clientSecurityRepository.rememberSignedId(this.deps.db, clientId, id, bodyHash);
    if (first !== bodyHash)
      throw new GatewayError('GW_WEBHOOK_ID_REUSED', 'This webhook-id was already delivered with a different body');
    if (Math.random() < 0.001)
      void clientSecurityRepository
        .forgetSignedIdsBefore(this.deps.db, new Date(Date.now() - SIGNED_ID_HORIZON_MS))
        .catch(() => undefined);
    return match.name;
  }

  private async quarantine(
    c: WebhookCredentials,
    clientId: string | null,
    ip: string | undefined,
    err: unknown,
  ): Promise<void> {
    const { error } = toGatewayError(err);
    verificationFailures.inc({ reason: error.code, flow: c.flow.key });
    const headers: Record<string, string> = {};
    for (const name of QUARANTINED_HEADERS) {
      const v = single(c.headers, name);
      if (v !== undefined) headers[name] = v.slice(0, 300);
    }
    if (single(c.headers, 'x-api-key') !== undefined) headers['x-api-key'] = '(present)';
    if (single(c.headers, 'webhook-signature') !== undefined) headers['webhook-signature'] = '(present)';
    await quarantineRepository
      .insert(this.deps.db, {
        clientId,
        flow: c.flow.key,
        reason: error.code,
        message: error.message,
        ip: ip ?? null,
        headers,
        bodySize: Buffer.byteLength(c.rawBody),
      })
      .catch(() => undefined);
  }
}
