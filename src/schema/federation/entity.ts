import { ClassType, Directive, getMetadataStorage } from 'type-graphql';
import { GraphQLContext, tenantOf } from '../context';

/**
 * A federation entity: a type other subgraphs can reference by its key. `defineEntity` puts
 * `@key(fields: "<key>")` on the type and gives the schema its `__resolveReference`.
 */
export interface EntityDefinition {
  type: ClassType;
  key: string;
  /** Loads one entity of the caller's client by its key (through the request's DataLoaders). */
  load(ctx: GraphQLContext, key: string): Promise<unknown>;
}

export function defineEntity<T extends object, K extends keyof T & string>(def: {
  type: ClassType<T>;
  key: K;
  load(ctx: GraphQLContext, key: string): Promise<unknown>;
}): EntityDefinition {
  Directive(`@key(fields: "${def.key}")`)(def.type);
  return def;
}

export function entityTypeName(entity: EntityDefinition): string {
  const meta = getMetadataStorage().objectTypes.find((t) => t.target === entity.type);
  if (!meta) throw new Error(`${entity.type.name} is not an @ObjectType`);
  return meta.name;
}

type Reference = { __typename: string } & Record<string, unknown>;

/**
 * `__resolveReference` per entity type. The same tenant rule as every query: no principal → 401,
 * and the loaders only ever read the caller's client, so another tenant's key resolves to null.
 */
export function referenceResolvers(
  entities: readonly EntityDefinition[],
): Record<string, { __resolveReference(ref: Reference, ctx: GraphQLContext): Promise<unknown> }> {
  return Object.fromEntries(
    entities.map((entity) => [
      entityTypeName(entity),
      {
        async __resolveReference(ref: Reference, ctx: GraphQLContext) {
          tenantOf(ctx);
          const key = ref[entity.key];
          return typeof key === 'string' ? entity.load(ctx, key) : null;
        },
      },
    ]),
  );
}
