import { canonicalSchemas } from '../../src/clients/client-flow';
import type { FlowKey } from '../../src/webhooks/flows';

export const FLOW = 'sales' as const satisfies FlowKey; // generator: flow

/**
 * __Client__'s payload contract per action of this flow. It starts as the canonical contract;
 * replace an action's schema (strict zod) when the ERP sends another shape, and map it in transformer.ts.
 */
export const schemas = canonicalSchemas(FLOW);
