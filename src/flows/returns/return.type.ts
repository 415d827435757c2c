import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';

@ObjectType('Return', { description: 'Goods of a sale brought back to a store, addressed by the ERP return_id' })
export class ReturnType {
  @Field(() => ID)
  id!: string;

  @Field()
  saleId!: string;

  @Field({ description: 'the store the goods went back to' })
  storeCode!: string;

  @Field(() => DateTimeScalar)
  returnedAt!: Date;

  @Field(() => DecimalScalar, {
    description: 'the returned items as sold, after discounts: the most that can be refunded',
  })
  value!: string;

  @Field(() => DecimalScalar, { description: 'the sum of the refunds so far' })
  refundedAmount!: string;
}

@ObjectType('ReturnItem')
export class ReturnItemType {
  @Field(() => Int)
  lineNo!: number;

  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => DecimalScalar, {
    description: 'value of these units as sold (line_total per unit, rounded down to the cent cumulatively)',
  })
  value!: string;
}

@ObjectType('Refund')
export class RefundType {
  @Field(() => ID)
  id!: string;

  @Field()
  returnId!: string;

  @Field()
  method!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DateTimeScalar)
  refundedAt!: Date;
}
