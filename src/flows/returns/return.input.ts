import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';

@InputType()
export class ReturnItemInput {
  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType()
export class RegisterReturnInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  saleId!: string;

  @Field()
  storeCode!: string;

  @Field(() => DateTimeScalar)
  returnedAt!: Date;

  @Field(() => [ReturnItemInput])
  items!: ReturnItemInput[];
}

@InputType()
export class ProcessRefundInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  returnId!: string;

  @Field()
  method!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DateTimeScalar)
  refundedAt!: Date;
}
