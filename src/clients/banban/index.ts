import { defineClient } from '../client-module';

/** Banban, the first client: a footwear retailer with stores LJ-… and distribution centres CD-…. */
export const banban = defineClient({
  id: 'banban',
  name: 'Banban Calçados',
  timezone: 'America/Sao_Paulo',
  flows: ['sales', 'purchase', 'inventory', 'transfer', 'returns'],
  settings: { allowNegativeStockOnSale: true },
  retry: { maxAttempts: 10, initialDelaySeconds: 2, maxDelaySeconds: 300 },
});
