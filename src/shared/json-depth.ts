import { GatewayError } from '../errors/gateway-error';

/**
 * Whether a parsed JSON value nests arrays and objects more than `max` levels deep (`{}` is one level,
 * `{"a":[1]}` two). Iterative, so a body nested 100,000 levels is measured without a stack overflow,
 * and it stops at the first node past the limit. Callers refuse such values before anything
 * recursive (hashing, logging, validation, GraphQL coercion) touches them.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  // Pairs of (node, its depth): one flat array, no per-node allocation (about 0.3 µs for a sale).
  const stack: unknown[] = [value, 1];
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const node = stack.pop() as Record<string, unknown> | unknown[];
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (child !== null && typeof child === 'object') stack.push(child, depth + 1);
      }
    } else {
      for (const key in node) {
        const child = node[key];
        if (child !== null && typeof child === 'object') stack.push(child, depth + 1);
      }
    }
  }
  return false;
}

export function tooDeep(max: number): GatewayError {
  return new GatewayError(
    'GW_PAYLOAD_TOO_DEEP',
    `The JSON nests arrays and objects more than ${max} levels deep (JSON_MAX_DEPTH)`,
    {
      details: { max_depth: max },
    },
  );
}
