import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../schema/connection';
import { DateTimeScalar } from '../../schema/scalars';
import type { TransferStatus } from './transfer.repository';

export enum TransferStatusEnum {
  CREATED = 'created',
  SHIPPED = 'shipped',
  RECEIVED = 'received',
  RECEIVED_WITH_DIVERGENCE = 'received_with_divergence',
}
registerEnumType(TransferStatusEnum, {
  name: 'TransferStatus',
  description:
    'created → shipped (in transit) → received, ' +
    'or received_with_divergence when what arrived differs from what was sent',
});

@ObjectType('Transfer', { description: 'Goods moving between two locations, addressed by the ERP transfer_id' })
export class TransferType {
  @Field(() => ID)
  id!: string;

  @Field()
  originCode!: string;

  @Field()
  destinationCode!: string;

  @Field(() => TransferStatusEnum)
  status!: TransferStatus;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  shippedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  receivedAt!: Date | null;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true })
  trackingCode!: string | null;
}

@ObjectType('TransferItem', { description: 'One sku of a transfer: sent, and once received, what arrived' })
export class TransferItemType {
  @Field(() => Int)
  lineNo!: number;

  @Field()
  sku!: string;

  @Field(() => Int, { description: '0 for a sku that arrived without being sent' })
  quantitySent!: number;

  @Field(() => Int, { nullable: true, description: 'null until the transfer is received' })
  quantityReceived!: number | null;

  @Field(() => Int, { nullable: true, description: 'received − sent; null until received' })
  divergence!: number | null;
}

@ObjectType('TransferEvent', { description: 'One transition of a transfer, in order: its tracking history' })
export class TransferEventType {
  @Field(() => TransferStatusEnum)
  status!: TransferStatus;

  @Field(() => DateTimeScalar, { description: 'when it happened, as reported by the ERP' })
  occurredAt!: Date;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true })
  trackingCode!: string | null;

  @Field(() => DateTimeScalar, { description: 'when the hub recorded it' })
  recordedAt!: Date;
}

@ObjectType()
export class TransferConnection extends Connection(TransferType, 'Transfer') {}
