import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../schema/connection';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';
import type { SaleStatus } from './sale.repository';

export enum SaleStatusEnum {
  OPEN = 'open',
  PAID = 'paid',
  CANCELLED = 'cancelled',
}
registerEnumType(SaleStatusEnum, {
  name: 'SaleStatus',
  description: 'open → paid as payments accumulate; cancelled reverses stock',
});

@ObjectType('Sale', {
  description: "A sale at a store or channel, addressed by the ERP sale_id within the caller's client.",
})
export class SaleType {
  @Field(() => ID)
  id!: string;

  @Field()
  storeCode!: string;

  @Field()
  channel!: string;

  @Field(() => String, { nullable: true })
  customerId!: string | null;

  @Field(() => DateTimeScalar)
  soldAt!: Date;

  @Field(() => DecimalScalar)
  total!: string;

  @Field(() => DecimalScalar)
  paidAmount!: string;

  @Field(() => SaleStatusEnum)
  status!: SaleStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => String, { nullable: true })
  cancellationReason!: string | null;
}

@ObjectType('SaleItem')
export class SaleItemType {
  @Field(() => Int)
  lineNo!: number;

  @Field()
  sku!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => DecimalScalar)
  unitPrice!: string;

  @Field(() => DecimalScalar)
  discount!: string;

  @Field(() => DecimalScalar, { description: 'quantity × unitPrice − discount' })
  lineTotal!: string;
}

@ObjectType('Payment')
export class PaymentType {
  @Field(() => ID)
  id!: string;

  @Field()
  saleId!: string;

  @Field()
  method!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => Int)
  installments!: number;

  @Field(() => DateTimeScalar)
  paidAt!: Date;
}

@ObjectType()
export class SaleConnection extends Connection(SaleType, 'Sale') {}
