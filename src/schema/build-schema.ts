import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLSchema, lexicographicSortSchema, parse } from 'graphql';
import { AuthChecker, buildSchemaSync, createResolversMap, getMetadataStorage, PubSub } from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { RESOLVERS } from '../resolvers';
import type { GraphQLContext } from './context';
import { ENTITIES } from './federation/entities';
import { referenceResolvers } from './federation/entity';

/**
 * `@Authorized()` needs a principal (its tenant is then enforced by `tenantOf`); `@Authorized('ops')`
 * also one of the roles. The `webhook` role exists only inside the pipeline (tokens cannot claim it).
 */
const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.principal) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');
  if (roles.length === 0 || roles.includes(context.principal.role)) return true;
  throw new GatewayError('GW_FORBIDDEN', `This field requires the ${roles.join(' or ')} role`);
};

/** The Federation spec this subgraph is written against, and the directives it uses from it. */
export const FEDERATION_SPEC = 'https://specs.apollo.dev/federation/v2.7';
const FEDERATION_IMPORTS = ['@key', '@shareable'];
/**
 * type-graphql wants a pubSub, but the schema is built once per process while the event bus belongs
 * to each app's services (in-process or Redis). So every @Subscription declares `subscribe` and reads
 * `context.services.events`; this placeholder refuses topic-based subscriptions so none slips in.
 */
const subscribeThroughContext: PubSub = {
  publish: () => {
    throw new Error('Publish on services.events, not on the schema');
  },
  subscribe: () => {
    throw new Error('A @Subscription must declare `subscribe` reading context.services.events');
  },
};

let cached: GraphQLSchema | undefined;

/**
 * The one place the schema is built: type-graphql builds the types and resolvers, and
 * @apollo/subgraph turns the result into a Federation v2 subgraph (`_service`, `_entities`,
 * `__resolveReference` for every entry of ENTITIES). The webhook pipeline, Apollo Server and the
 * printed schema.graphql all use this schema.
 */
export function buildGatewaySchema(): GraphQLSchema {
  cached ??= buildSubgraph();
  return cached;
}

function buildSubgraph(): GraphQLSchema {
  const typeGraphQLSchema = buildSchemaSync({
    resolvers: RESOLVERS,
    authChecker,
    validate: false,
    pubSub: subscribeThroughContext,
  });
  const link = `extend schema @link(url: "${FEDERATION_SPEC}", import: ${JSON.stringify(FEDERATION_IMPORTS)})`;
  const resolvers = createResolversMap(typeGraphQLSchema) as GraphQLResolverMap<unknown>;
  dropPassThroughResolvers(resolvers);
  callPlainFieldResolversDirectly(resolvers);
  for (const [typeName, reference] of Object.entries(referenceResolvers(ENTITIES))) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...reference } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({
    typeDefs: parse(`${link}\n${printSchemaWithDirectives(typeGraphQLSchema)}`),
    resolvers,
  });
}

/**
 * type-graphql gives every object field a resolver that runs the field's middleware chain (auth
 * checker, @UseMiddleware), even when that chain is empty; on a page of ~2,000 fields those wrappers
 * are a large part of execution (bench:graphql). A field with no roles, no middlewares and no
 * @FieldResolver resolves as the plain property instead (graphql-js's default resolver): what
 * type-graphql's own `simpleResolvers` option does, decided here per field from its metadata so a field
 * that gains @Authorized or @UseMiddleware keeps its wrapper. (No global middlewares are configured.)
 */
function dropPassThroughResolvers(resolvers: GraphQLResolverMap<unknown>): void {
  const storage = getMetadataStorage();
  for (const objectType of storage.objectTypes) {
    const fields = resolvers[objectType.name] as Record<string, unknown> | undefined;
    if (!fields) continue;
    // Its own fields and those it inherits from decorated base classes (e.g. Connection(...)).
    const declaring = storage.objectTypes.filter(
      (t) => t.target === objectType.target || objectType.target.prototype instanceof t.target,
    );
    for (const field of declaring.flatMap((t) => t.fields ?? [])) {
      if (field.roles || field.middlewares?.length || field.name !== field.schemaName) continue;

      const resolved = storage.fieldResolvers.some(
        (r) =>
          r.methodName === field.name &&
          // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's metadata types
          [field.target, objectType.target].includes(r.getObjectType?.() as Function),
      );
      if (!resolved) delete fields[field.schemaName];
    }
  }
}

type ParamKind = { kind: string; index: number; propertyName?: string; getType?: () => unknown };

/**
 * A @FieldResolver whose parameters are only `@Root()` (typed as a plain object) and `@Ctx()`, with no
 * roles and no middlewares, is called directly instead of through type-graphql's handler, which on
 * every call builds its resolver data, sorts and maps the parameter list and enters an empty
 * middleware chain. On a page of 50 sales, `items` and `payments` are 100 such calls, and the
 * parameter sort alone made about 90 KB of garbage per request (bench:graphql, allocation profile).
 * The resolver class is instantiated once, as type-graphql's default container does.
 */
function callPlainFieldResolversDirectly(resolvers: GraphQLResolverMap<unknown>): void {
  const storage = getMetadataStorage();
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's metadata types
  const instances = new Map<Function, Record<string, (...args: unknown[]) => unknown>>();
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== 'external' || resolver.roles || resolver.middlewares?.length) continue;
    const params = [...((resolver.params ?? []) as ParamKind[])].sort((a, b) => a.index - b.index);
    const plainRoot = (p: ParamKind) =>
      p.kind === 'root' &&
      !p.propertyName &&
      [undefined, Object].includes(p.getType?.() as ObjectConstructor | undefined);
    if (!params.every((p, i) => p.index === i && (plainRoot(p) || (p.kind === 'context' && !p.propertyName)))) continue;
    const typeName = storage.objectTypes.find((t) => t.target === resolver.getObjectType?.())?.name;
    const fields = typeName ? (resolvers[typeName] as Record<string, unknown> | undefined) : undefined;
    if (!fields || !(resolver.schemaName in fields)) continue;
    if (!instances.has(resolver.target))
      instances.set(
        resolver.target,
        new (resolver.target as new () => Record<string, (...args: unknown[]) => unknown>)(),
      );
    const instance = instances.get(resolver.target)!;
    const method = instance[resolver.methodName];
    const kinds = params.map((p) => p.kind);
    fields[resolver.schemaName] =
      kinds.join() === 'root,context'
        ? (root: unknown, _args: unknown, context: unknown) => method.call(instance, root, context)
        : (root: unknown, _args: unknown, context: unknown) =>
            method.apply(
              instance,
              kinds.map((k) => (k === 'root' ? root : context)),
            );
  }
}

/**
 * The SDL committed as schema.graphql: the whole served schema with its directives (so
 * `schema:check` sees `@key` and the federation fields), sorted so diffs show real changes only.
 */
export function printGatewaySchema(): string {
  return printSchemaWithDirectives(lexicographicSortSchema(buildGatewaySchema())) + '\n';
}
