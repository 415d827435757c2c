import { GatewayError } from '../errors/gateway-error';

export const MAX_PAGE_SIZE = 200;

/** Opaque keyset cursor: base64url of the JSON key of the last row. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string')) return key;
  } catch {
    /* fall through */
  }
  throw new GatewayError('GW_VALIDATION_FAILED', 'Invalid cursor', {
    issues: [{ path: 'after', code: 'invalid_cursor', message: 'not a cursor this API issued' }],
  });
}

export function pageSize(first: number | undefined, fallback = 50): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new GatewayError('GW_VALIDATION_FAILED', `first must be between 1 and ${MAX_PAGE_SIZE}`, {
      issues: [{ path: 'first', code: 'out_of_range', message: `between 1 and ${MAX_PAGE_SIZE}` }],
    });
  }
  return n;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
}

/** Given rows fetched with limit `size + 1`, splits off the look-ahead row. */
export function toPage<T>(rows: T[], size: number): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size };
}
