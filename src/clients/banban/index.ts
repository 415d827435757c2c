import { defineClient } from '../client-module';
import { banbanEtl } from './etl-source';

/** Banban, the first client: a footwear retailer with stores LJ-… and distribution centres CD-…. */
export const banban = defineClient({
  id: 'banban',
  name: 'Banban Calçados',
  timezone: 'America/Sao_Paulo',
  flows: ['sales', 'purchase', 'inventory', 'transfer', 'returns', 'etl'],
  settings: { allowNegativeStock: true },
  retry: { maxAttempts: 10, initialDelaySeconds: 2, maxDelaySeconds: 300 },
  etl: banbanEtl,
});
