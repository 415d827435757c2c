import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { stdSerializers } from 'pino';

export const REDACTED = '[REDACTED]';

/** Query-string parameters that carry credentials (compared without case, `-` and `_` alike). */
const CREDENTIAL_PARAMS = new Set([
  ...['api_key', 'apikey', 'x_api_key', 'key', 'token', 'access_token', 'id_token', 'refresh_token', 'code'],
  ...['auth', 'authorization', 'bearer', 'jwt', 'secret', 'client_secret', 'password', 'passwd', 'pwd'],
  ...['signature', 'sig', 'webhook_signature', 'session', 'sessionid'],
]);
const PARAM_NAMES = [...CREDENTIAL_PARAMS].map((p) => p.replace(/_/g, '[-_]?')).join('|');
/** `?token=…` / `&api-key=…` anywhere in a text (a URL inside a message). */
const PARAM_IN_TEXT = new RegExp(`([?&;](?:${PARAM_NAMES})=)[^&#;\\s"'<>]*`, 'gi');
/** `scheme://user:password@host`: the password. */
const USERINFO = /(\b[a-z][a-z\d+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;
const BEARER = /\b(Bearer\s+)[\w.~+/=-]+/gi;
const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;

/** Whether a text may carry one of the shapes above (most log lines carry none: no regex runs). */
function suspicious(text: string): boolean {
  return text.includes('=') || text.includes('@') || text.includes('eyJ') || /bearer/i.test(text);
}

/** A text with credentials replaced: URL parameters, URL passwords, Bearer values and JWTs. */
export function redactText(text: string): string {
  if (!suspicious(text)) return text;
  return text
    .replace(PARAM_IN_TEXT, `$1${REDACTED}`)
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(JWT, REDACTED);
}

/** Every string of a plain value, `depth` levels down, through `redactText`. */
function redactStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactStrings(v, depth - 1);
  return out;
}

function isCredentialParam(raw: string): boolean {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: judged as written
  }
  return CREDENTIAL_PARAMS.has(name.trim().toLowerCase().replace(/-/g, '_'));
}

/** A request URL (path and query) with the values of credential parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return redactText(url);
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return isCredentialParam(name) ? `${name}=${REDACTED}` : pair;
  });
  return redactText(`${url.slice(0, q)}?${params.join('&')}${hash < 0 ? '' : url.slice(hash)}`);
}

/** Headers that carry credentials, wherever a log object holds them. */
const SECRET_HEADERS = ['authorization', '["x-api-key"]', '["webhook-signature"]', 'cookie', '["proxy-authorization"]'];
const REDACT_PATHS = SECRET_HEADERS.flatMap((h) => {
  const at = (base: string) => (h.startsWith('[') ? `${base}${h}` : `${base}.${h}`);
  return [at('req.headers'), at('headers'), at('*.headers'), at('connectionParams')];
});

/**
 * The gateway's pino options: every log line is written with credentials replaced by
 * `[REDACTED]` — request URLs (`?api_key=…`, `?token=…`), credential headers in any logged header
 * set, URLs and Bearer/JWT values inside messages and errors.
 */
type LoggerOptions = Pick<NonNullable<Exclude<FastifyServerOptions['logger'], boolean>>, 'serializers' | 'redact'>;

export function redactingLogger(): LoggerOptions & {
  hooks: { logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void): void };
} {
  return {
    serializers: {
      // Fastify's own request serializer, its URL redacted.
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
        version: req.headers?.['accept-version'] as string | undefined,
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
      // Message, stack (with its causes) and whatever else an error carries (`url`, `config`, …).
      err: (err: Error) => redactStrings(stdSerializers.err(err), 3) as ReturnType<typeof stdSerializers.err>,
      url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
      target: (target: unknown) => (typeof target === 'string' ? redactUrl(target) : target),
    },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = redactText(args[i] as string);
        method.apply(this, args);
      },
    },
  };
}
