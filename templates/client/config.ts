import { defineClient } from '../../src/clients/client-module';
import type { FlowKey } from '../../src/webhooks/flows';
import { mappings } from './mapper';

/** __Client__: the flows it uses are the ones it has a mapping for. */
export const client = defineClient({
  id: '__client__',
  name: '__Client__',
  timezone: 'America/Sao_Paulo',
  flows: Object.keys(mappings) as FlowKey[],
  settings: { allowNegativeStock: true },
  mappings,
});
