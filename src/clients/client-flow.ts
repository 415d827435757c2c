import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error';
import { parseOrThrow } from '../shared/fields';
import { own } from '../shared/own';
import { FLOWS, FlowKey } from '../webhooks/flows';

type Actions<F extends FlowKey> = (typeof FLOWS)[F]['actions'];
type ActionName<F extends FlowKey> = keyof Actions<F> & string;
/** What the canonical action accepts (before its own defaults and normalisation). */
type SchemaOf<T> = T extends { schema: infer S extends z.ZodType } ? S : never;
export type CanonicalData<F extends FlowKey, A extends ActionName<F>> = z.input<SchemaOf<Actions<F>[A]>>;

/** The client's own contract for one action and how it becomes the canonical payload. */
export interface ClientAction<S extends z.ZodType = z.ZodType, C = unknown> {
  schema: S;
  transform(data: z.output<S>): C;
}

export type ClientActions<F extends FlowKey> = { [A in ActionName<F>]: ClientAction<z.ZodType, CanonicalData<F, A>> };

/** A client's check on the canonical payload (after its transformer): throw a GatewayError to refuse. */
export type ClientCheck<F extends FlowKey> = (action: ActionName<F>, data: CanonicalData<F, ActionName<F>>) => void;

/**
 * How one client speaks one flow: its payload schemas per action, the transformer to the canonical
 * payload, and its own checks. The pipeline applies it before the canonical validation, so the
 * flow's service and GraphQL mutation stay the same for every client.
 */
export interface ClientFlow<F extends FlowKey = FlowKey> {
  flow: F;
  actions: ClientActions<F>;
  checks: readonly ClientCheck<F>[];
}

export function defineClientFlow<F extends FlowKey>(
  flow: F,
  def: { actions: ClientActions<F>; checks?: readonly ClientCheck<F>[] },
): ClientFlow<F> {
  return { flow, actions: def.actions, checks: def.checks ?? [] };
}

/** The canonical contract of every action of a flow (a client that sends the canonical shape). */
export function canonicalSchemas<F extends FlowKey>(flow: F): { [A in ActionName<F>]: SchemaOf<Actions<F>[A]> } {
  return Object.fromEntries(Object.entries(FLOWS[flow].actions).map(([name, a]) => [name, a.schema])) as never;
}

type Schemas<F extends FlowKey> = { [A in ActionName<F>]: z.ZodType };
export type Transformers<F extends FlowKey, S extends Schemas<F>> = {
  [A in ActionName<F>]: (data: z.output<S[A]>) => CanonicalData<F, A>;
};

/** Identity transformers for every action: the client's payload already is the canonical one. */
export function identityTransformers<F extends FlowKey>(
  flow: F,
): Transformers<F, ReturnType<typeof canonicalSchemas<F>>> {
  return Object.fromEntries(Object.keys(FLOWS[flow].actions).map((name) => [name, (data: unknown) => data])) as never;
}

/** Pairs each action's schema with its transformer. */
export function clientActions<F extends FlowKey, S extends Schemas<F>>(
  flow: F,
  schemas: S,
  transformers: Transformers<F, S>,
): ClientActions<F> {
  return Object.fromEntries(
    Object.keys(FLOWS[flow].actions).map((name) => [
      name,
      { schema: schemas[name as ActionName<F>], transform: transformers[name as ActionName<F>] },
    ]),
  ) as never;
}

/** The client's payload for one action turned into the canonical one (unchanged when the client has no mapping). */
export function toCanonicalPayload(mapping: ClientFlow | undefined, action: string, data: unknown): unknown {
  if (!mapping) return data;
  const clientAction = own(mapping.actions as Record<string, ClientAction>, action);
  if (!clientAction)
    throw new GatewayError('GW_UNKNOWN_ACTION', `Unknown action "${action}" for this client`, {
      details: { allowed: Object.keys(mapping.actions) },
    });
  const canonical = clientAction.transform(parseOrThrow(clientAction.schema, data, ['data']));
  for (const check of mapping.checks as readonly ClientCheck<FlowKey>[]) check(action as never, canonical as never);
  return canonical;
}
