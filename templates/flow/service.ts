import type { ClientCheck } from '../../src/clients/client-flow';
import type { FLOW } from './schemas';

/** __Client__'s own rules for this flow, run on the canonical payload: throw a GatewayError to refuse. */
export const checks: ClientCheck<typeof FLOW>[] = [];
