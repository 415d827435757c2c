/** Codes (stores, SKUs, locations) are compared trimmed and upper-cased everywhere. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/** ISO-8601 with offset → ISO-8601 in UTC. */
export function toUtcIso(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
