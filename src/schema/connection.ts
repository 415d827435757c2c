import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { pageSize, toPage } from '../shared/pagination';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Relay-style connection for a node type: `edges { cursor node }` and `pageInfo`. */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionClass {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

export interface ConnectionValue<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * One keyset page as a connection: `fetch` is asked for one row more than the page (after the
 * given cursor) to learn whether another page follows; `onNode` sees each node of the page.
 */
export async function keysetConnection<T>(
  args: { first?: number; after?: string },
  fetch: (limit: number, after: string | undefined) => Promise<T[]>,
  cursorOf: (n: T) => string,
  onNode?: (n: T) => void,
): Promise<ConnectionValue<T>> {
  const size = pageSize(args.first);
  const page = toPage(await fetch(size + 1, args.after), size);
  if (onNode) page.nodes.forEach(onNode);
  return toConnection(page.nodes, page.hasNextPage, cursorOf);
}

export function toConnection<T>(nodes: T[], hasNextPage: boolean, cursorOf: (n: T) => string): ConnectionValue<T> {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'page size, 1–200 (default 50)' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string;
}
