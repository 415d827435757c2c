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
