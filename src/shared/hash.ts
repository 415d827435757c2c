import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of a value that ignores key order, so the same document always hashes the same. */
export function contentHash(value: unknown): string {
  return sha256(stringify(value) ?? 'null');
}
