import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { salesPage } from '../flows/sales/sale.resolver';
import { PageArgs } from '../schema/connection';
import { SaleConnection } from '../flows/sales/sale.type';
import { GraphQLContext } from '../schema/context';
import { CustomerRow } from './master-data.repository';
import { CustomerType } from './master-data.type';

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Authorized()
  @Query(() => CustomerType, { nullable: true, description: 'A customer by the ERP customer_id' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.customer.load(id);
  }

  @FieldResolver(() => SaleConnection, { description: "The customer's sales, newest first" })
  sales(@Root() customer: CustomerRow, @Args() args: PageArgs, @Ctx() ctx: GraphQLContext) {
    return salesPage(ctx, { customerId: customer.id }, args);
  }
}
