import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CustomerType, LocationType, ProductType } from '../../domain/master-data.type';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { keysetConnection, PageArgs } from '../../schema/connection';
import { RegisterCancellationInput, RegisterPaymentInput, RegisterSaleInput, SalesFilterInput } from './sale.input';
import { PaymentRow, saleCursor, SaleItemRow, saleRepository, SaleRow } from './sale.repository';
import { PaymentType, SaleConnection, SaleItemType, SaleType } from './sale.type';

@ArgsType()
class SalesArgs extends PageArgs {
  @Field(() => SalesFilterInput, { nullable: true })
  filter?: SalesFilterInput;
}

/** Reads a keyset page of sales for the caller's client. Shared by `sales` and `Customer.sales`. */
export async function salesPage(ctx: GraphQLContext, filter: SalesFilterInput, args: PageArgs) {
  return keysetConnection(
    args,
    (limit, after) => saleRepository.page(ctx.reader, tenantOf(ctx), filter, limit, after),
    saleCursor,
    (sale) => ctx.loaders.sale.prime(sale.id, sale),
  );
}

@Resolver(() => SaleType)
export class SaleResolver {
  @Authorized()
  @Query(() => SaleType, { nullable: true, description: 'A sale by its ERP id' })
  sale(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SaleRow | null> {
    return ctx.loaders.sale.load(id);
  }

  @Authorized()
  @Query(() => SaleConnection, { description: 'Sales, newest first, with cursor pagination' })
  sales(@Args() args: SalesArgs, @Ctx() ctx: GraphQLContext) {
    return salesPage(ctx, args.filter ?? {}, args);
  }

  @Authorized()
  @Mutation(() => SaleType)
  registerSale(@Arg('input') input: RegisterSaleInput, @Ctx() ctx: GraphQLContext): Promise<SaleRow> {
    return ctx.unitOfWork((q) => ctx.services.sales.registerSale(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => PaymentType)
  registerPayment(@Arg('input') input: RegisterPaymentInput, @Ctx() ctx: GraphQLContext): Promise<PaymentRow> {
    return ctx.unitOfWork((q) => ctx.services.sales.registerPayment(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => SaleType)
  registerCancellation(@Arg('input') input: RegisterCancellationInput, @Ctx() ctx: GraphQLContext): Promise<SaleRow> {
    return ctx.unitOfWork((q) => ctx.services.sales.registerCancellation(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => LocationType)
  store(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(sale.storeCode);
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext) {
    return sale.customerId ? ctx.loaders.customer.load(sale.customerId) : null;
  }

  @FieldResolver(() => [SaleItemType])
  items(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): Promise<SaleItemRow[]> {
    return ctx.loaders.saleItems.load(sale.id);
  }

  @FieldResolver(() => [PaymentType])
  payments(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): Promise<PaymentRow[]> {
    return ctx.loaders.salePayments.load(sale.id);
  }
}

@Resolver(() => SaleItemType)
export class SaleItemResolver {
  @FieldResolver(() => ProductType)
  product(@Root() item: SaleItemRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(item.sku);
  }
}

@Resolver(() => PaymentType)
export class PaymentResolver {
  @FieldResolver(() => SaleType)
  sale(@Root() payment: PaymentRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.sale.load(payment.saleId);
  }
}
