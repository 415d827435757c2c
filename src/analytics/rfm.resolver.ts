import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { clientScope } from '../auth/client-scope';
import { keysetConnection, PageArgs } from '../schema/connection';
import { GraphQLContext, tenantOf } from '../schema/context';
import { rfmCursor, rfmRepository, RfmRunRow } from './rfm.repository';
import {
  CustomerRfmConnection,
  CustomerRfmType,
  LocalDateScalar,
  RfmMovementType,
  RfmRunType,
  RfmSegmentsType,
} from './rfm.type';

@ArgsType()
class RfmCustomersArgs extends PageArgs {
  @Field(() => String, { nullable: true })
  client?: string;

  @Field()
  segment!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'snapshot date (default: the current scores)' })
  asOf?: string;
}

@Resolver(() => RfmRunType)
export class RfmResolver {
  @Authorized()
  @Query(() => CustomerRfmType, { nullable: true, description: "A customer's current RFM scores and segment" })
  customerRfm(@Arg('customerId', () => ID) customerId: string, @Ctx() ctx: GraphQLContext) {
    return ctx.services.rfm.customerRfm(ctx.reader, tenantOf(ctx), customerId);
  }

  @Authorized()
  @Query(() => RfmSegmentsType, {
    nullable: true,
    description:
      'Customers per segment (count, share, average R/F/M) of a snapshot, or of the current scores without asOf; ' +
      'null before any',
  })
  rfmSegments(
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
    @Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf?: string,
    @Arg('store', () => String, { nullable: true, description: 'only customers who bought at this store (up to asOf)' })
    store?: string,
  ) {
    return ctx.services.rfm.segments(ctx.reader, clientScope(ctx, client), asOf, store?.trim().toUpperCase());
  }

  @Authorized()
  @Query(() => CustomerRfmConnection, {
    description: "A segment's customers in a snapshot (default: the current scores), highest spend first",
  })
  async rfmCustomers(@Args() args: RfmCustomersArgs, @Ctx() ctx: GraphQLContext) {
    const clientId = clientScope(ctx, args.client);
    return keysetConnection(
      args,
      async (limit, after) => {
        const source = await ctx.services.rfm.scoresSource(ctx.reader, clientId, args.asOf);
        return source ? rfmRepository.segmentPage(ctx.reader, clientId, source, args.segment, limit, after) : [];
      },
      rfmCursor,
    );
  }

  @Authorized()
  @Query(() => [RfmMovementType], {
    description: 'How many customers moved between segments from one snapshot to another',
  })
  async rfmMovement(
    @Arg('from', () => LocalDateScalar) from: string,
    @Arg('to', () => LocalDateScalar) to: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('client', () => String, { nullable: true }) client?: string,
  ) {
    const clientId = clientScope(ctx, client);
    await ctx.services.rfm.snapshotDate(ctx.reader, clientId, from);
    await ctx.services.rfm.snapshotDate(ctx.reader, clientId, to);
    return ctx.services.rfm.movement(ctx.reader, clientId, from, to);
  }

  @Authorized('ops')
  @Mutation(() => RfmRunType, {
    description: 'Recomputes the RFM snapshot of a client as of a date (default: today in its timezone)',
  })
  rebuildRfm(
    @Arg('client') client: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf?: string,
  ): Promise<RfmRunRow> {
    return ctx.services.rfm.rebuildRfm(clientScope(ctx, client), asOf);
  }

  @FieldResolver(() => Number, { nullable: true })
  durationMs(@Root() run: RfmRunRow): number | null {
    return run.durationMs === null ? null : Number(run.durationMs);
  }
}
