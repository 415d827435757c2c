import { DocumentNode, parse } from 'graphql';
import { z } from 'zod';

/**
 * How one ERP action becomes one GraphQL operation: the strict zod contract of its `data`, the
 * business id used for idempotency, and the mapping to the operation's variables.
 */
export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** The document's id in the ERP (sale_id, payment_id, …): the idempotency fallback. */
  businessId(data: z.output<S>): string | null;
  /** GraphQL operation executed in-process; its single root field is the action's result. */
  document: DocumentNode;
  rootField: string;
  toVariables(data: z.output<S>): Record<string, unknown>;
  /**
   * The business entity the action belongs to (`sale:<sale_id>` for a sale, its payments and its
   * cancellation): queued events of one entity apply in arrival order. Default: its business id.
   */
  entity?(data: z.output<S>): string | null;
  /** The status of a successful answer (default 200); 202 for actions that start work and return at once. */
  acceptedStatus?: 200 | 202;
  /** Query-like actions (no writes) skip the idempotency claim. */
  readOnly?: boolean;
  /**
   * Deliveries of one lane contend for the same rows (a client's stock levels): while one commits,
   * the next ones of its lane are grouped into one transaction (src/db/group-commit.ts).
   */
  lane?(data: z.output<S>): string;
}

export interface FlowDefinition {
  /** Short name used in health and metrics: `sales`. */
  key: string;
  /** URL segment: `POST /api/v1/webhooks/<path>`. */
  path: string;
  actions: Record<string, ActionDefinition<any>>;
}

export function defineAction<S extends z.ZodType>(
  def: Omit<ActionDefinition<S>, 'document' | 'rootField'> & { operation: string },
): ActionDefinition<S> {
  const document = parse(def.operation);
  const op = document.definitions[0];
  if (op.kind !== 'OperationDefinition' || op.selectionSet.selections[0].kind !== 'Field') {
    throw new Error('an action operation must be one operation with one root field');
  }
  const { operation: _operation, ...rest } = def;
  return { ...rest, document, rootField: op.selectionSet.selections[0].name.value };
}

export function defineFlow<F extends FlowDefinition>(flow: F): F {
  return flow;
}
