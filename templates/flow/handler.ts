import { clientActions, defineClientFlow } from '../../src/clients/client-flow';
import { FLOW, schemas } from './schemas';
import { checks } from './service';
import { transformers } from './transformer';

/** What the pipeline applies to __Client__'s deliveries on this flow, before the canonical validation. */
export const mapping = defineClientFlow(FLOW, { actions: clientActions(FLOW, schemas, transformers), checks });
