import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../../schema/scalars';

@InputType()
export class TransferItemInput {
  @Field()
  sku!: string;

  @Field(() => Int)
  quantity!: number;
}

@InputType()
export class CreateTransferInput {
  @Field(() => ID)
  id!: string;

  @Field()
  originCode!: string;

  @Field()
  destinationCode!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => [TransferItemInput], { description: 'one entry per sku' })
  items!: TransferItemInput[];
}

@InputType()
export class ShipTransferInput {
  @Field(() => ID)
  transferId!: string;

  @Field(() => DateTimeScalar)
  shippedAt!: Date;

  @Field()
  carrier!: string;

  @Field()
  trackingCode!: string;
}

@InputType()
export class ReceiveTransferInput {
  @Field(() => ID)
  transferId!: string;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => [TransferItemInput], {
    description: 'what actually arrived, one entry per sku (0 allowed); a sent sku left out arrived as 0',
  })
  items!: TransferItemInput[];
}
