import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';
import type { DivergenceKind, PurchaseOrderStatus } from './purchase.repository';

export enum PurchaseOrderStatusEnum {
  OPEN = 'open',
  RECEIVED = 'received',
  CONFIRMED = 'confirmed',
}
registerEnumType(PurchaseOrderStatusEnum, {
  name: 'PurchaseOrderStatus',
  description: 'open → received (one or more fiscal documents) → confirmed (received quantities put into stock, once)',
});

export enum DivergenceKindEnum {
  OVER = 'over',
  UNDER = 'under',
}
registerEnumType(DivergenceKindEnum, {
  name: 'DivergenceKind',
  description: 'more (over) or less (under) received than ordered',
});

@ObjectType('PurchaseOrder', { description: 'A purchase order to a supplier, addressed by the ERP order_id' })
export class PurchaseOrderType {
  @Field(() => ID)
  id!: string;

  @Field()
  supplierId!: string;

  @Field({ description: 'the location (usually a distribution centre) that receives the goods' })
  destinationCode!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  expectedAt!: string | null;

  @Field(() => DateTimeScalar, { description: 'when the ERP created the order' })
  orderedAt!: Date;

  @Field(() => PurchaseOrderStatusEnum)
  status!: PurchaseOrderStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  confirmedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'the document named by confirm_stock' })
  confirmedDocumentNumber!: string | null;
}

@ObjectType('PurchaseOrderItem')
export class PurchaseOrderItemType {
  @Field(() => Int)
  lineNo!: number;

  @Field()
  sku!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => DecimalScalar)
  unitCost!: string;
}

@ObjectType('PurchaseDocument', { description: 'A fiscal document (NF-e) received against a purchase order' })
export class PurchaseDocumentType {
  @Field()
  orderId!: string;

  @Field({ description: 'NF-e number, 9 digits' })
  number!: string;

  @Field()
  series!: string;

  @Field({ description: '44 digits' })
  accessKey!: string;

  @Field(() => DateTimeScalar)
  issuedAt!: Date;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;
}

@ObjectType('PurchaseDocumentItem')
export class PurchaseDocumentItemType {
  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@ObjectType('PurchaseDivergence', { description: "Ordered vs received (over all the order's documents) for one sku" })
export class PurchaseDivergenceType {
  @Field()
  sku!: string;

  @Field(() => Int)
  ordered!: number;

  @Field(() => Int)
  received!: number;

  @Field(() => Int, { description: 'received − ordered' })
  difference!: number;

  @Field(() => DivergenceKindEnum)
  kind!: DivergenceKind;
}
