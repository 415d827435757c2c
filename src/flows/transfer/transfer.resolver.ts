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
import { LocationType, ProductType } from '../../domain/master-data.type';
import { keysetConnection, PageArgs } from '../../schema/connection';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { CreateTransferInput, ReceiveTransferInput, ShipTransferInput } from './transfer.input';
import {
  transferCursor,
  TransferEventRow,
  TransferItemRow,
  transferRepository,
  TransferRow,
} from './transfer.repository';
import {
  TransferConnection,
  TransferEventType,
  TransferItemType,
  TransferStatusEnum,
  TransferType,
} from './transfer.type';

@ArgsType()
class TransfersArgs extends PageArgs {
  @Field(() => TransferStatusEnum, { nullable: true })
  status?: TransferStatusEnum;
}

@Resolver(() => TransferType)
export class TransferResolver {
  @Authorized()
  @Query(() => TransferType, { nullable: true, description: 'A transfer by its ERP id' })
  transfer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<TransferRow | null> {
    return ctx.loaders.transfer.load(id);
  }

  @Authorized()
  @Query(() => TransferConnection, { description: 'Transfers, newest first, with cursor pagination' })
  async transfers(@Args() args: TransfersArgs, @Ctx() ctx: GraphQLContext) {
    return keysetConnection(
      args,
      (limit, after) => transferRepository.page(ctx.reader, tenantOf(ctx), { status: args.status }, limit, after),
      transferCursor,
      (t) => ctx.loaders.transfer.prime(t.id, t),
    );
  }

  @Authorized()
  @Mutation(() => TransferType)
  createTransfer(@Arg('input') input: CreateTransferInput, @Ctx() ctx: GraphQLContext): Promise<TransferRow> {
    return ctx.unitOfWork((q) => ctx.services.transfers.createTransfer(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => TransferType)
  shipTransfer(@Arg('input') input: ShipTransferInput, @Ctx() ctx: GraphQLContext): Promise<TransferRow> {
    return ctx.unitOfWork((q) => ctx.services.transfers.shipTransfer(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => TransferType)
  receiveTransfer(@Arg('input') input: ReceiveTransferInput, @Ctx() ctx: GraphQLContext): Promise<TransferRow> {
    return ctx.unitOfWork((q) => ctx.services.transfers.receiveTransfer(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => LocationType)
  origin(@Root() t: TransferRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(t.originCode);
  }

  @FieldResolver(() => LocationType)
  destination(@Root() t: TransferRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(t.destinationCode);
  }

  @FieldResolver(() => [TransferItemType])
  items(@Root() t: TransferRow, @Ctx() ctx: GraphQLContext): Promise<TransferItemRow[]> {
    return ctx.loaders.transferItems.load(t.id);
  }

  @FieldResolver(() => [TransferItemType], {
    description: 'The items whose received quantity differs from the sent one',
  })
  async divergences(@Root() t: TransferRow, @Ctx() ctx: GraphQLContext): Promise<TransferItemRow[]> {
    return (await ctx.loaders.transferItems.load(t.id)).filter((i) => i.divergence !== null && i.divergence !== 0);
  }

  @FieldResolver(() => [TransferEventType], { description: 'Every transition, oldest first (the tracking history)' })
  history(@Root() t: TransferRow, @Ctx() ctx: GraphQLContext): Promise<TransferEventRow[]> {
    return ctx.loaders.transferHistory.load(t.id);
  }
}

@Resolver(() => TransferItemType)
export class TransferItemResolver {
  @FieldResolver(() => ProductType)
  product(@Root() item: TransferItemRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(item.sku);
  }
}
