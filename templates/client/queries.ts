import { z } from 'zod';
import { defineQuery } from '../../src/connectors/http.connector';

/**
 * What the hub asks __Client__'s ERP (the pull side). Starts with the stock levels of a location in
 * the canonical shape; change paths and response schemas to the ERP's API.
 */
export const queries = {
  stockLevels: defineQuery({
    method: 'GET',
    path: (p: { locationCode: string }) => `/stock-levels?location=${encodeURIComponent(p.locationCode)}`,
    response: z.array(z.strictObject({ sku: z.string().min(1), quantity: z.number().int() })),
  }),
};
