import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../schema/scalars';

@InputType()
export class PurchaseSupplierInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'CNPJ (14 digits) or CPF (11 digits)' })
  document?: string | null;
}

@InputType()
export class PurchaseOrderItemInput {
  @Field()
  sku!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int)
  quantity!: number;

  @Field(() => DecimalScalar)
  unitCost!: string;
}

@InputType()
export class CreatePurchaseOrderInput {
  @Field(() => ID)
  id!: string;

  @Field(() => PurchaseSupplierInput)
  supplier!: PurchaseSupplierInput;

  @Field()
  destinationCode!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  expectedAt?: string | null;

  @Field(() => DateTimeScalar)
  orderedAt!: Date;

  @Field(() => [PurchaseOrderItemInput], { description: 'each sku at most once' })
  items!: PurchaseOrderItemInput[];
}

@InputType()
export class FiscalDocumentInput {
  @Field({ description: 'NF-e number, 1–9 digits (stored zero-padded to 9)' })
  number!: string;

  @Field({ description: '1–3 digits' })
  series!: string;

  @Field({ description: '44 digits with a valid mod-11 check digit, encoding this number and series' })
  accessKey!: string;

  @Field(() => DateTimeScalar)
  issuedAt!: Date;
}

@InputType()
export class ReceivedItemInput {
  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@InputType()
export class ReceivePurchaseDocumentInput {
  @Field(() => ID)
  orderId!: string;

  @Field(() => FiscalDocumentInput)
  document!: FiscalDocumentInput;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => [ReceivedItemInput], { description: 'each sku at most once' })
  items!: ReceivedItemInput[];
}

@InputType()
export class ConfirmPurchaseStockInput {
  @Field(() => ID)
  orderId!: string;

  @Field({ description: 'a document already received for this order' })
  documentNumber!: string;

  @Field(() => DateTimeScalar)
  confirmedAt!: Date;
}
