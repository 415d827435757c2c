import { z } from 'zod';

/** A list of `{sku}` entries names each sku at most once (after normalisation). */
export function distinctSkus<T extends { sku: string }>(items: T[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.sku))
      ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `sku ${item.sku} is listed more than once` });
    seen.add(item.sku);
  });
}

/** What arrived of a sku: 0 is a valid answer (nothing came). */
export const receivedQuantity = () => z.number().int().min(0).max(1_000_000);
