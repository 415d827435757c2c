import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../schema/connection';
import { DateTimeScalar } from '../../schema/scalars';

@ObjectType('StockLevel', { description: 'Stock of one sku at one location: always the sum of its ledger movements' })
export class StockLevelType {
  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int, { description: 'below zero when recorded facts (e.g. sales) took more than the hub knew of' })
  quantity!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'last movement; null when the position never moved' })
  updatedAt!: Date | null;
}

@ObjectType()
export class StockLevelConnection extends Connection(StockLevelType, 'StockLevel') {}

@ObjectType('InventoryAdjustment', { description: 'A correction of stock with its reason; one ledger movement' })
export class InventoryAdjustmentType {
  @Field(() => ID)
  id!: string;

  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int)
  quantityDelta!: number;

  @Field()
  reason!: string;

  @Field(() => DateTimeScalar)
  adjustedAt!: Date;
}

@ObjectType('InventorySnapshot', { description: 'Stock frozen per location and sku as of a time' })
export class InventorySnapshotType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'null: the snapshot covers every location' })
  locationCode!: string | null;

  @Field(() => DateTimeScalar)
  takenAt!: Date;
}

@ObjectType('InventorySnapshotLine')
export class InventorySnapshotLineType {
  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType('InventorySnapshotDifference', { description: 'A position whose current stock differs from the snapshot' })
export class InventorySnapshotDifferenceType {
  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int)
  snapshotQuantity!: number;

  @Field(() => Int)
  currentQuantity!: number;

  @Field(() => Int, { description: 'current − snapshot' })
  difference!: number;
}

@ObjectType('MovementValidation', { description: 'Whether a stock movement would be allowed now' })
export class MovementValidationType {
  @Field()
  valid!: boolean;

  @Field(() => Int, { description: 'current stock at the location' })
  available!: number;

  @Field(() => String, { nullable: true, description: 'why not, when not valid' })
  reason!: string | null;
}
