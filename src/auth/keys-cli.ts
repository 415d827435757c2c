import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { Database } from '../db/database';
import { GatewayError } from '../errors/gateway-error';
import { AuditService } from '../security/audit.service';
import { ClientSecurityService } from '../security/client-security.service';
import { ApiKeyService } from './api-key.service';
import { createApiKey } from './key-management';

export const KEYS_USAGE = `usage: npm run keys -- <command> [options]
  create  --client <id> [--flow <flow>] [--name <name>]   issue an API key (printed once)
  list    [--client <id>] [--all]                          keys (with --all, revoked ones too)
  revoke  --id <n>                                         revoke a key now
  secret-create --client <id> [--name <name>]              a Standard Webhooks signing secret (printed once)
  secret-revoke --id <n>                                   revoke a signing secret
  security --client <id> [--schemes api_key|signature|both] [--allow <cidr,cidr|none>]`;

const OPTIONS = {
  client: { type: 'string' },
  flow: { type: 'string' },
  name: { type: 'string' },
  id: { type: 'string' },
  all: { type: 'boolean' },
  schemes: { type: 'string' },
  allow: { type: 'string' },
} as const;

/** The key CLI (scripts/keys.ts): every change is audited as `cli:<os user>`. Returns the exit code. */
export async function runKeysCli(argv: string[], db: Database, out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command] = positionals;
  const apiKeys = new ApiKeyService(db);
  const security = new ClientSecurityService(db);
  const audit = new AuditService(db);
  const actor = `cli:${safeUser()}`;
  const record = (action: string, clientId: string | null, target: string | null) =>
    audit.record({ clientId, actor, role: 'ops', source: 'cli', action, target, ip: null, outcome: 'ok' });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (typeof v !== 'string' || !v) throw new GatewayError('GW_VALIDATION_FAILED', `--${name} is required`);
    return v;
  };

  try {
    switch (command) {
      case 'create': {
        const { key, record: k } = await createApiKey(apiKeys, {
          client: need('client'),
          flow: values.flow,
          name: values.name ?? `${values.flow ?? 'all-flows'}-${new Date().toISOString().slice(0, 10)}`,
        });
        await record('createApiKey', k.clientId, String(k.id));
        out(`id ${k.id}  client ${k.clientId}  flow ${k.flow ?? '(all)'}  name ${k.name}`);
        out(`key ${key}`);
        out('store it now: it is not shown again');
        return 0;
      }
      case 'list': {
        const rows = await apiKeys.list({ clientId: values.client, includeRevoked: values.all });
        out(['id', 'client', 'flow', 'name', 'prefix', 'created', 'last used', 'revoked'].join('\t'));
        for (const k of rows) {
          out(
            [
              k.id,
              k.clientId,
              k.flow ?? '(all)',
              k.name,
              k.keyPrefix,
              iso(k.createdAt),
              iso(k.lastUsedAt),
              iso(k.revokedAt),
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'revoke': {
        const k = await apiKeys.revoke(Number(need('id')));
        await record('revokeApiKey', k.clientId, String(k.id));
        out(`revoked key ${k.id} (${k.clientId}/${k.name}) at ${iso(k.revokedAt)}`);
        return 0;
      }
      case 'secret-create': {
        const s = await security.createSecret(
          db,
          need('client'),
          values.name ?? `secret-${new Date().toISOString().slice(0, 10)}`,
        );
        await record('createWebhookSecret', s.clientId, String(s.id));
        out(`id ${s.id}  client ${s.clientId}  name ${s.name}`);
        out(`secret ${s.secret}`);
        return 0;
      }
      case 'secret-revoke': {
        const s = await security.revokeSecret(db, Number(need('id')));
        await record('revokeWebhookSecret', s.clientId, String(s.id));
        out(`revoked secret ${s.id} (${s.clientId}/${s.name})`);
        return 0;
      }
      case 'security': {
        const client = need('client');
        const schemes = values.schemes as 'api_key' | 'signature' | 'both' | undefined;
        if (schemes && !['api_key', 'signature', 'both'].includes(schemes))
          throw new GatewayError('GW_VALIDATION_FAILED', '--schemes: api_key, signature or both');
        const allow =
          values.allow === undefined
            ? undefined
            : values.allow === 'none'
              ? []
              : values.allow
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean);
        const s = await security.update(db, client, { schemes, ipAllowlist: allow });
        await record('updateClientSecurity', client, client);
        out(`client ${client}: schemes ${s.schemes}, allowlist ${s.ipAllowlist.join(', ') || '(any)'}`);
        return 0;
      }
      default:
        out(KEYS_USAGE);
        return command ? 2 : 0;
    }
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const issues = err.issues ? ` (${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : '';
    out(`error ${err.code}: ${err.message}${issues}`);
    return 1;
  }
}

function iso(d: Date | null): string {
  return d ? d.toISOString() : '-';
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
