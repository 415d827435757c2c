import { z } from 'zod';

/** A signed, non-zero stock change: negative removes, positive adds. */
export const quantityDelta = () =>
  z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .refine((n) => n !== 0, 'must not be zero');
