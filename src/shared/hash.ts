import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** Hex SHA-256 of a text (one-shot `crypto.hash`: about half the cost of createHash for short inputs). */
export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Hash of a value that ignores key order, so the same document always hashes the same. */
export function contentHash(value: unknown): string {
  return sha256(stringify(value) ?? 'null');
}
