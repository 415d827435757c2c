import { GatewayError } from '../errors/gateway-error';

type Headers = Record<string, string | string[] | undefined>;

const HEADER_KEY = /^[\x21-\x7e]{1,200}$/;

function single(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The delivery's idempotency key: the Standard Webhooks `webhook-id`, else `Idempotency-Key`,
 * else the action and its business id (sale_id, payment_id, …). Prefixes keep the spaces apart.
 */
export function idempotencyKeyOf(headers: Headers, action: string, businessId: string | null, eventId: string): string {
  for (const [name, prefix] of [
    ['webhook-id', 'wh'],
    ['idempotency-key', 'ik'],
  ] as const) {
    const value = single(headers, name);
    if (value === undefined) continue;
    if (!HEADER_KEY.test(value)) {
      throw new GatewayError('GW_VALIDATION_FAILED', `The ${name} header must be 1–200 visible ASCII characters`, {
        issues: [{ path: `headers.${name}`, code: 'invalid_header', message: '1–200 visible ASCII characters' }],
      });
    }
    return `${prefix}:${value}`;
  }
  return businessId ? `biz:${action}:${businessId}` : `event:${eventId}`;
}

const RECORDED = [
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'idempotency-key',
  'prefer',
  'x-forwarded-for',
  'x-request-id',
];

/** Headers kept with each event for the audit trail (never credentials). */
export function recordedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RECORDED) {
    const v = single(headers, name);
    if (v !== undefined) out[name] = v.slice(0, 500);
  }
  return out;
}
