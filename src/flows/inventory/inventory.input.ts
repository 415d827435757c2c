import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../../schema/scalars';

@InputType()
export class AdjustStockInput {
  @Field(() => ID)
  id!: string;

  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int, {
    description:
      'non-zero; negative removes stock, even below zero when the client allows negative stock ' +
      '(then `belowZero` is true)',
  })
  quantityDelta!: number;

  @Field({ description: 'a lower-case token such as "damage" or "count_correction"' })
  reason!: string;

  @Field(() => DateTimeScalar)
  adjustedAt!: Date;
}

@InputType()
export class TakeInventorySnapshotInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'omit for every location' })
  locationCode?: string | null;

  @Field(() => DateTimeScalar)
  takenAt!: Date;
}

@InputType()
export class ValidateMovementInput {
  @Field()
  locationCode!: string;

  @Field()
  sku!: string;

  @Field(() => Int, { description: 'non-zero; negative for a removal' })
  quantityDelta!: number;
}

@InputType()
export class StockLevelsFilterInput {
  @Field({ nullable: true })
  locationCode?: string;

  @Field({ nullable: true })
  sku?: string;

  @Field({ nullable: true, description: 'true: only positions below zero; false: only the others' })
  belowZero?: boolean;
}
