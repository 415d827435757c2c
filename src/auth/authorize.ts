import {
  BREAK,
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLCompositeType,
  GraphQLSchema,
  isCompositeType,
  Kind,
  OperationDefinitionNode,
  OperationTypeNode,
  SelectionSetNode,
  visit,
} from 'graphql';
import { GatewayError } from '../errors/gateway-error';
import type { Principal } from '../schema/context';
import { FlowKey, FLOWS } from '../webhooks/flows';

/**
 * What a flow-scoped API key reaches in the graph besides its flow's actions (whose operations' root
 * fields are added from FLOWS): root fields, and the object types that are its flow's entities. A
 * field whose type is another flow's entity is outside the scope, at any depth.
 */
export interface FlowReach {
  queries: readonly string[];
  mutations?: readonly string[];
  subscriptions?: readonly string[];
  entities: readonly string[];
}

export const FLOW_REACH: Record<FlowKey, FlowReach> = {
  sales: {
    queries: ['sale', 'sales', 'customer'],
    entities: ['Sale', 'SaleItem', 'Payment', 'Customer', 'SaleConnection', 'SaleEdge'],
  },
  purchase: {
    queries: ['purchaseOrder'],
    entities: [
      'PurchaseOrder',
      'PurchaseOrderItem',
      'PurchaseDocument',
      'PurchaseDocumentItem',
      'PurchaseDivergence',
      'Supplier',
    ],
  },
  inventory: {
    queries: ['stock', 'stockLevels', 'inventorySnapshot'],
    entities: [
      'StockLevel',
      'StockLevelConnection',
      'StockLevelEdge',
      'InventoryAdjustment',
      'InventorySnapshot',
      'InventorySnapshotLine',
      'InventorySnapshotDifference',
      'MovementValidation',
    ],
  },
  transfer: {
    queries: ['transfer', 'transfers'],
    entities: ['Transfer', 'TransferItem', 'TransferEvent', 'TransferConnection', 'TransferEdge'],
  },
  returns: { queries: ['return', 'returns'], entities: ['Return', 'ReturnItem', 'Refund'] },
  etl: {
    queries: ['etlRun', 'etlRuns'],
    mutations: ['cancelEtlRun', 'retryEtlRun'],
    subscriptions: ['etlProgress'],
    entities: ['EtlRun', 'EtlCounts', 'EtlOutcomeCount', 'EtlDocument', 'EtlProgress'],
  },
};

/** Master data every flow's entities point at: no flow owns them. */
export const SHARED_TYPES: readonly string[] = ['Location', 'Product', 'PageInfo'];

interface Reach {
  roots: Record<OperationTypeNode, ReadonlySet<string>>;
  entities: ReadonlySet<string>;
}

/** The entity types of every flow, and which flow owns each. */
const OWNER = new Map<string, string>();
for (const [flow, reach] of Object.entries(FLOW_REACH)) for (const type of reach.entities) OWNER.set(type, flow);

const REACH = new Map<string, Reach>(
  Object.entries(FLOWS).map(([key, flow]) => {
    const own = FLOW_REACH[key as FlowKey];
    const roots: Record<OperationTypeNode, Set<string>> = {
      query: new Set(own.queries),
      mutation: new Set(own.mutations),
      subscription: new Set(own.subscriptions),
    };
    for (const action of Object.values(flow.actions)) {
      const op = action.document.definitions[0] as OperationDefinitionNode;
      roots[op.operation].add(action.rootField);
    }
    return [key, { roots, entities: new Set(own.entities) }];
  }),
);

/** The root fields a flow-scoped key may use (tests and docs enumerate them). */
export function flowRoots(flow: string): Record<OperationTypeNode, ReadonlySet<string>> | undefined {
  return REACH.get(flow)?.roots;
}

function flowLabel(flow: string): string {
  return (FLOWS as Record<string, { path: string }>)[flow]?.path ?? flow;
}

function outside(what: string): GatewayError {
  return new GatewayError('GW_FORBIDDEN', `This key is limited to its flow; ${what} is outside it`);
}

function reachOf(principal: Principal & { flow: string }): Reach {
  const reach = REACH.get(principal.flow);
  // A key of a flow that no longer exists reaches nothing.
  return reach ?? { roots: { query: new Set(), mutation: new Set(), subscription: new Set() }, entities: new Set() };
}

const isScoped = (p: Principal | null): p is Principal & { flow: string } => !!p?.flow;

/**
 * REST shim: a delivery to `flow`. A flow-scoped key opens its own flow only; a client key (or a
 * signature) every flow its client enables.
 */
export function authorizeDelivery(principal: Principal, flow: string): void {
  if (isScoped(principal) && principal.flow !== flow) {
    throw new GatewayError('GW_FORBIDDEN', `This key does not open the ${flowLabel(flow)} flow`);
  }
}

/** One root field used outside GraphQL (the REST face of a field, e.g. /health/integrations ↔ flowHealth). */
export function authorizeRootField(principal: Principal | null, operation: OperationTypeNode, field: string): void {
  if (isScoped(principal) && !reachOf(principal).roots[operation].has(field)) throw outside(field);
}

/** The schema itself (introspection, the federation SDL) is for ops; in development for anyone. */
export function seesSchema(principal: Principal | null, production: boolean): boolean {
  return !production || principal?.role === 'ops';
}

/** Fields that read the schema itself: introspection, and the federation SDL (`_service` is on Query only). */
const SCHEMA_FIELDS = new Set(['__schema', '__type', '_service']);

/** Apollo reuses a parsed document across requests (its document store): each is walked once. */
const readsSchema = new WeakMap<DocumentNode, boolean>();

export function asksForSchema(document: DocumentNode): boolean {
  let found = readsSchema.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Field(node) {
        if (!SCHEMA_FIELDS.has(node.name.value)) return undefined;
        found = true;
        return BREAK;
      },
    });
    readsSchema.set(document, found);
  }
  return found;
}

function fragmentOf(document: DocumentNode, name: string): FragmentDefinitionNode | undefined {
  return document.definitions.find(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
  );
}

/** Verdicts of flow scopes per document: per flow and operation, the refused field or null. */
const verdicts = new WeakMap<DocumentNode, Map<string, string | null>>();

/**
 * The one authorization step of a GraphQL operation, whatever its transport (HTTP through
 * `operationGuard`, graphql-ws in `onSubscribe`): the schema is for ops in production, and a
 * flow-scoped key reaches its flow's root fields and entities only. REST deliveries apply the same
 * scope by flow (`authorizeDelivery`), the REST health endpoint by field (`authorizeRootField`).
 * Roles and tenants are checked by the fields themselves (`@Authorized`, `tenantOf`).
 */
export function authorizeOperation(
  principal: Principal | null,
  op: { schema: GraphQLSchema; document: DocumentNode; operation: OperationDefinitionNode },
  opts: { production: boolean },
): void {
  if (!seesSchema(principal, opts.production) && asksForSchema(op.document)) {
    throw new GatewayError('GW_FORBIDDEN', 'The schema (introspection, _service) is available to ops only');
  }
  if (!isScoped(principal)) return;
  let byScope = verdicts.get(op.document);
  if (!byScope) verdicts.set(op.document, (byScope = new Map()));
  const key = `${principal.flow}:${op.operation.name?.value ?? ''}`;
  let refused = byScope.get(key);
  if (refused === undefined) {
    refused = firstOutside(reachOf(principal), op.schema, op.document, op.operation);
    byScope.set(key, refused);
  }
  if (refused !== null) throw outside(refused);
}

/** The first field of the operation outside the reach (`Sale.returns`, `adjustStock`), or null. */
function firstOutside(
  reach: Reach,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): string | null {
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, isRoot: boolean): string | null => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        if (name === '__typename' || SCHEMA_FIELDS.has(name)) continue; // the schema is `seesSchema`'s
        if (isRoot && !reach.roots[operation.operation].has(name)) return name;
        const field = 'getFields' in parent ? parent.getFields()[name] : undefined;
        if (!field) continue; // validation reports it
        const type = getNamedType(field.type);
        const owner = OWNER.get(type.name);
        if (owner !== undefined && !reach.entities.has(type.name)) return isRoot ? name : `${parent.name}.${name}`;
        if (s.selectionSet && isCompositeType(type)) {
          const found = walk(s.selectionSet, type, false);
          if (found) return found;
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent;
        const found = type && isCompositeType(type) ? walk(s.selectionSet, type, isRoot) : null;
        if (found) return found;
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragmentOf(document, s.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        const found = fragment && type && isCompositeType(type) ? walk(fragment.selectionSet, type, isRoot) : null;
        if (found) return found;
      }
    }
    return null;
  };
  return walk(operation.selectionSet, root, true);
}
