import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum LocationKindEnum {
  STORE = 'store',
  DISTRIBUTION_CENTER = 'distribution_center',
  OTHER = 'other',
}
registerEnumType(LocationKindEnum, { name: 'LocationKind' });

@ObjectType('Location', { description: 'A store (LJ-…) or distribution centre (CD-…)' })
export class LocationType {
  @Field(() => ID)
  code!: string;

  @Field(() => LocationKindEnum)
  kind!: LocationKindEnum;
}

@ObjectType('Product')
export class ProductType {
  @Field(() => ID)
  sku!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@ObjectType('Customer')
export class CustomerType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  document!: string | null;
}
