/**
 * `record[key]` when `key` is one of the record's own properties, else undefined. Lookups keyed by
 * what a caller sent (an action, a client id, a flow) must not reach Object.prototype's members:
 * `toString`, `constructor` or `__proto__` are not actions.
 */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
