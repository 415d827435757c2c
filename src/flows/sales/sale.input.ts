import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';
import { SaleStatusEnum } from './sale.type';

@InputType()
export class SaleCustomerInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  document?: string | null;
}

@InputType()
export class SaleItemInput {
  @Field()
  sku!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => DecimalScalar)
  unitPrice!: string;

  @Field(() => DecimalScalar, { defaultValue: '0.00' })
  discount!: string;
}

@InputType()
export class RegisterSaleInput {
  @Field(() => ID)
  id!: string;

  @Field()
  storeCode!: string;

  @Field()
  channel!: string;

  @Field(() => DateTimeScalar)
  soldAt!: Date;

  @Field(() => SaleCustomerInput, { nullable: true })
  customer?: SaleCustomerInput | null;

  @Field(() => [SaleItemInput])
  items!: SaleItemInput[];

  @Field(() => DecimalScalar, { description: 'Must equal Σ(quantity × unitPrice − discount) to the cent' })
  total!: string;
}

@InputType()
export class RegisterPaymentInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  saleId!: string;

  @Field()
  method!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => Int, { defaultValue: 1 })
  installments!: number;

  @Field(() => DateTimeScalar)
  paidAt!: Date;
}

@InputType()
export class RegisterCancellationInput {
  @Field(() => ID)
  saleId!: string;

  @Field()
  reason!: string;

  @Field(() => DateTimeScalar)
  cancelledAt!: Date;
}

@InputType()
export class SalesFilterInput {
  @Field({ nullable: true })
  storeCode?: string;

  @Field({ nullable: true })
  customerId?: string;

  @Field(() => SaleStatusEnum, { nullable: true })
  status?: SaleStatusEnum;

  @Field(() => DateTimeScalar, { nullable: true, description: 'sold at or after' })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'sold before' })
  to?: Date;
}
