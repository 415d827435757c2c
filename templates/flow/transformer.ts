import { identityTransformers } from '../../src/clients/client-flow';
import { FLOW } from './schemas';

/** Per action: __Client__'s (validated) payload → the canonical payload. Identity while the schemas are canonical. */
export const transformers = identityTransformers(FLOW);
