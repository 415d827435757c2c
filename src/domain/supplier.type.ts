import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Supplier', { description: 'A supplier, registered from the purchase orders that name it' })
export class SupplierType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'CNPJ (14 digits) or CPF (11 digits)' })
  document!: string | null;
}
