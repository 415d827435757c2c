import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error';
import { MONEY_PATTERN } from './money';
import { normalizeCode, toUtcIso } from './normalize';

/**
 * Field rules shared by every flow's webhook schema and by the services' own input checks.
 * Strings are bounded and free of control characters; numbers are bounded integers.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(NO_CONTROL_CHARS, 'must not contain control characters');

/** Business ids from the ERP (sale_id, payment_id, …). */
export const businessId = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / - only');

/** Store, location and product codes: trimmed and upper-cased. */
export const code = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits and . _ - only')
    .transform(normalizeCode);

/** Lower-case tokens such as channel or payment method. */
export const token = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[a-z][a-z0-9_]*$/, 'a lower-case token such as "credit_card"');

export const money = () => z.string().regex(MONEY_PATTERN, 'a decimal string with at most 2 decimals, e.g. "19.90"');

export const positiveMoney = () => money().refine((v) => /[1-9]/.test(v), 'must be greater than zero');

/** The date-times a fact may carry: not before `minDate` (UTC midnight), at most the skew ahead of the clock. */
export interface FactTimeBounds {
  /** FACT_MIN_DATE, `YYYY-MM-DD`. */
  minDate: string;
  /** FACT_MAX_FUTURE_SKEW_SECONDS: how far a sender's clock may run ahead of the gateway's. */
  maxFutureSkewSeconds: number;
}

export const DEFAULT_FACT_TIME_BOUNDS: FactTimeBounds = { minDate: '2000-01-01', maxFutureSkewSeconds: 300 };

let factTimeBounds = DEFAULT_FACT_TIME_BOUNDS;

/**
 * Runs a synchronous parse with one gateway's bounds (its configuration) applied to every
 * `timestamp()` field it meets; outside such a call the defaults apply. The contracts are module
 * constants shared by every gateway of the process, so the bounds travel with the parse.
 */
export function withFactTimeBounds<T>(bounds: FactTimeBounds, parse: () => T): T {
  const outer = factTimeBounds;
  factTimeBounds = bounds;
  try {
    return parse();
  } finally {
    factTimeBounds = outer;
  }
}

function checkFactTime(payload: z.core.ParsePayload<string>): void {
  const at = Date.parse(payload.value);
  if (Number.isNaN(at)) return; // not a timestamp at all: the format check reports it
  const { minDate, maxFutureSkewSeconds } = factTimeBounds;
  const min = Date.parse(`${minDate}T00:00:00Z`);
  const max = Date.now() + maxFutureSkewSeconds * 1000;
  if (at < min) {
    const message = `must not be before ${minDate} (FACT_MIN_DATE)`;
    payload.issues.push({
      code: 'too_small',
      origin: 'date',
      minimum: min,
      inclusive: true,
      input: payload.value,
      message,
    });
  } else if (at > max) {
    const message =
      `must not be in the future (more than ${maxFutureSkewSeconds} s ` +
      `ahead of the gateway's clock, FACT_MAX_FUTURE_SKEW_SECONDS)`;
    payload.issues.push({
      code: 'too_big',
      origin: 'date',
      maximum: max,
      inclusive: true,
      input: payload.value,
      message,
    });
  }
}

/**
 * ISO-8601 with an explicit offset (or Z), normalised to UTC. Local times without offset are
 * ambiguous. The moment a fact happened: within the fact-time bounds (`withFactTimeBounds`).
 */
export const timestamp = () =>
  z.iso
    .datetime({ offset: true, message: 'an ISO-8601 timestamp with offset, e.g. 2026-11-28T14:32:10-03:00' })
    .check(checkFactTime)
    .transform(toUtcIso);

export const quantity = () => z.number().int().min(1).max(1_000_000);

export const isoDate = () => z.iso.date();

export function issuesOf(error: z.ZodError, prefix: (string | number)[] = []) {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.'),
    code: i.code,
    message: i.message,
  }));
}

/** Parses `value` or throws GW_VALIDATION_FAILED listing every offending field path. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = [],
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new GatewayError('GW_VALIDATION_FAILED', 'The payload does not match the contract', {
    issues: issuesOf(parsed.error, prefix),
  });
}
