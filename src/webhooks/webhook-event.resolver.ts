import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  Float,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { GatewayError } from '../errors/gateway-error';
import { GraphQLContext, tenantOf } from '../schema/context';
import { keysetConnection, PageArgs } from '../schema/connection';
import { webhookEventCursor, webhookEventRepository, WebhookEventRow } from './webhook-event.repository';
import {
  ReplayWebhookEventsFilterInput,
  ReplayWebhookEventsResult,
  WebhookEventConnection,
  WebhookEventsFilterInput,
  WebhookEventType,
} from './webhook-event.type';
import { replayWebhookEvents } from './webhook-replay.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const clientId = tenantOf(ctx, args.client);
    return keysetConnection(
      args,
      (limit, after) => webhookEventRepository.page(ctx.reader, clientId, args.filter ?? {}, limit, after),
      webhookEventCursor,
    );
  }

  @Authorized()
  @Query(() => WebhookEventType, {
    nullable: true,
    description: "One of the caller's deliveries (e.g. a 202's eventId), with its status",
  })
  async webhookEvent(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    if (!UUID.test(id)) return null;
    return webhookEventRepository.find(ctx.reader, tenantOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => ReplayWebhookEventsResult, {
    description: 'Puts dead-lettered or failed events back on the queue; replaying twice does nothing more',
  })
  async replayWebhookEvents(
    @Arg('filter', () => ReplayWebhookEventsFilterInput) filter: ReplayWebhookEventsFilterInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    const clientId = tenantOf(ctx, filter.client); // ops may name any client; others only their own
    if (filter.ids?.some((id) => !UUID.test(id))) {
      throw new GatewayError('GW_VALIDATION_FAILED', 'ids must be event ids (UUIDs)', {
        issues: [{ path: 'filter.ids', code: 'invalid_format', message: 'UUID expected' }],
      });
    }
    const { client: _client, ...rest } = filter;
    const result = await ctx.unitOfWork((tx) => replayWebhookEvents(tx, ctx.services.queue, clientId, rest));
    return { requeued: result.requeued.length, eventIds: result.requeued, skipped: result.skipped };
  }

  @FieldResolver(() => Float, { nullable: true })
  durationMs(@Root() e: WebhookEventRow): number | null {
    return e.durationMs === null ? null : Number(e.durationMs);
  }
}
