import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Float, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, tenantOf } from '../schema/context';
import { PageArgs, toConnection } from '../schema/connection';
import { pageSize, toPage } from '../shared/pagination';
import { webhookEventCursor, webhookEventRepository, WebhookEventRow } from './webhook-event.repository';
import { WebhookEventConnection, WebhookEventsFilterInput, WebhookEventType } from './webhook-event.type';

@ArgsType()
class WebhookEventsArgs extends PageArgs {
  @Field(() => WebhookEventsFilterInput, { nullable: true })
  filter?: WebhookEventsFilterInput;

  @Field(() => String, { nullable: true, description: 'ops: whose deliveries; others may only name their own client' })
  client?: string;
}

@Resolver(() => WebhookEventType)
export class WebhookEventResolver {
  @Authorized()
  @Query(() => WebhookEventConnection, { description: "The audit trail of the caller's deliveries, newest first" })
  async webhookEvents(@Args() args: WebhookEventsArgs, @Ctx() ctx: GraphQLContext) {
    const size = pageSize(args.first);
    const rows = await webhookEventRepository.page(ctx.reader, tenantOf(ctx, args.client), args.filter ?? {}, size + 1, args.after);
    const page = toPage(rows, size);
    return toConnection(page.nodes, page.hasNextPage, webhookEventCursor);
  }

  @FieldResolver(() => Float, { nullable: true })
  durationMs(@Root() e: WebhookEventRow): number | null {
    return e.durationMs === null ? null : Number(e.durationMs);
  }
}
