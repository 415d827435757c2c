/**
 * JSON can smuggle what valid UTF-8 cannot carry: `\u0000` and lone surrogates (`\ud800`). PostgreSQL
 * refuses both in jsonb and would silently mangle them in text, so bodies carrying them are refused.
 * Returns the offending escape, or null. Only escapes preceded by an even number of backslashes count.
 */
export function forbiddenJsonEscape(raw: string): string | null {
  let i = raw.indexOf('\\u');
  while (i !== -1) {
    let slashes = 0;
    for (let j = i - 1; j >= 0 && raw[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) {
      const code = parseInt(raw.slice(i + 2, i + 6), 16);
      if (code === 0) return '\\u0000';
      if (code >= 0xd800 && code <= 0xdbff) {
        const next = raw.startsWith('\\u', i + 6) ? parseInt(raw.slice(i + 8, i + 12), 16) : NaN;
        if (!(next >= 0xdc00 && next <= 0xdfff)) return raw.slice(i, i + 6);
        i = raw.indexOf('\\u', i + 12);
        continue;
      }
      if (code >= 0xdc00 && code <= 0xdfff) return raw.slice(i, i + 6);
    }
    i = raw.indexOf('\\u', i + 2);
  }
  return null;
}

// eslint-disable-next-line no-control-regex -- NUL is what it finds
const NON_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The same rule for values already parsed (GraphQL variables from a query string or a WebSocket
 * message): the first string (or key) holding U+0000 or a lone surrogate, described, or null.
 */
export function forbiddenText(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') {
    const m = NON_TEXT.exec(value);
    return m ? `\\u${m[0].charCodeAt(0).toString(16).padStart(4, '0')}` : null;
  }
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    const found = forbiddenText(k, depth + 1) ?? forbiddenText(v, depth + 1);
    if (found) return found;
  }
  return null;
}
