import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { LocationType, ProductType } from '../../domain/master-data.type';
import { keysetConnection, PageArgs } from '../../schema/connection';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { normalizeCode } from '../../shared/normalize';
import {
  AdjustStockInput,
  StockLevelsFilterInput,
  TakeInventorySnapshotInput,
  ValidateMovementInput,
} from './inventory.input';
import {
  AdjustmentRow,
  inventoryRepository,
  SnapshotDifferenceRow,
  SnapshotLineRow,
  SnapshotRow,
  stockLevelCursor,
  StockLevelRow,
} from './inventory.repository';
import { MovementValidation } from './inventory.service';
import {
  InventoryAdjustmentType,
  InventorySnapshotDifferenceType,
  InventorySnapshotLineType,
  InventorySnapshotType,
  MovementValidationType,
  StockLevelConnection,
  StockLevelType,
} from './inventory.type';

@ArgsType()
class StockLevelsArgs extends PageArgs {
  @Field(() => StockLevelsFilterInput, { nullable: true })
  filter?: StockLevelsFilterInput;
}

@Resolver(() => StockLevelType)
export class StockLevelResolver {
  @Authorized()
  @Query(() => StockLevelType, { description: 'Stock of a sku at a location (0 when it never moved)' })
  stock(
    @Arg('location') location: string,
    @Arg('sku') sku: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StockLevelRow> {
    return ctx.loaders.stockLevel.load({ locationCode: normalizeCode(location), sku: normalizeCode(sku) });
  }

  @Authorized()
  @Query(() => StockLevelConnection, { description: 'Stock positions by location and sku, with cursor pagination' })
  async stockLevels(@Args() args: StockLevelsArgs, @Ctx() ctx: GraphQLContext) {
    const f = args.filter ?? {};
    const filter = {
      ...f,
      locationCode: f.locationCode && normalizeCode(f.locationCode),
      sku: f.sku && normalizeCode(f.sku),
    };
    return keysetConnection(
      args,
      (limit, after) => inventoryRepository.stockPage(ctx.reader, tenantOf(ctx), filter, limit, after),
      stockLevelCursor,
      (s) => ctx.loaders.stockLevel.prime(s, s),
    );
  }

  @Authorized()
  @Query(() => MovementValidationType, {
    description: 'Whether a movement would be allowed now (a removal may not take stock below zero); writes nothing',
  })
  validateMovement(
    @Arg('input') input: ValidateMovementInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MovementValidation> {
    return ctx.services.inventory.validateMovement(ctx.reader, tenantOf(ctx), input);
  }

  @FieldResolver(() => LocationType)
  location(@Root() s: StockLevelRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(s.locationCode);
  }

  @FieldResolver(() => ProductType)
  product(@Root() s: StockLevelRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(s.sku);
  }
}

@Resolver(() => InventoryAdjustmentType)
export class InventoryAdjustmentResolver {
  @Authorized()
  @Mutation(() => InventoryAdjustmentType)
  adjustStock(@Arg('input') input: AdjustStockInput, @Ctx() ctx: GraphQLContext): Promise<AdjustmentRow> {
    return ctx.unitOfWork((q) => ctx.services.inventory.adjustStock(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => StockLevelType, { description: "the position's stock now" })
  stock(@Root() a: AdjustmentRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.stockLevel.load({ locationCode: a.locationCode, sku: a.sku });
  }

  @FieldResolver(() => Boolean, {
    description:
      'true when this adjustment took its position below zero: recorded as the ERP reported it, flagged for ops',
  })
  belowZero(@Root() a: AdjustmentRow, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.loaders.adjustmentBelowZero.load(a.id);
  }
}

@Resolver(() => InventorySnapshotType)
export class InventorySnapshotResolver {
  @Authorized()
  @Query(() => InventorySnapshotType, { nullable: true, description: 'A snapshot by its ERP id' })
  inventorySnapshot(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SnapshotRow | null> {
    return ctx.loaders.inventorySnapshot.load(id);
  }

  @Authorized()
  @Mutation(() => InventorySnapshotType)
  takeInventorySnapshot(
    @Arg('input') input: TakeInventorySnapshotInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SnapshotRow> {
    return ctx.unitOfWork((q) => ctx.services.inventory.takeSnapshot(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => LocationType, { nullable: true })
  location(@Root() s: SnapshotRow, @Ctx() ctx: GraphQLContext) {
    return s.locationCode ? ctx.loaders.location.load(s.locationCode) : null;
  }

  @FieldResolver(() => [InventorySnapshotLineType], { description: 'stock per location and sku as of takenAt' })
  lines(@Root() s: SnapshotRow, @Ctx() ctx: GraphQLContext): Promise<SnapshotLineRow[]> {
    return ctx.loaders.snapshotLines.load(s.id);
  }

  @FieldResolver(() => Int)
  async lineCount(@Root() s: SnapshotRow, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.snapshotLines.load(s.id)).length;
  }

  @FieldResolver(() => Int, { description: "sum of the lines' quantities" })
  async totalQuantity(@Root() s: SnapshotRow, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.snapshotLines.load(s.id)).reduce((sum, l) => sum + l.quantity, 0);
  }

  @FieldResolver(() => [InventorySnapshotDifferenceType], {
    description: "positions (of the snapshot's scope) whose current stock differs from it",
  })
  differences(@Root() s: SnapshotRow, @Ctx() ctx: GraphQLContext): Promise<SnapshotDifferenceRow[]> {
    return ctx.loaders.snapshotDifferences.load(s.id);
  }
}

@Resolver(() => InventorySnapshotLineType)
export class InventorySnapshotLineResolver {
  @FieldResolver(() => ProductType)
  product(@Root() l: SnapshotLineRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(l.sku);
  }
}
