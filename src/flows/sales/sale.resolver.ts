import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { CustomerType, LocationType, ProductType } from '../../domain/master-data.type';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { keysetConnection, PageArgs } from '../../schema/connection';
import { loadedOrLoad, preload, remember } from '../../schema/loaders';
import { selects } from '../../schema/lookahead';
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
    (sale) => remember(ctx.loaders.sale, sale.id, sale),
  );
}

/**
 * The top-level page also loads the items and payments the query selects, one batch each (the
 * queries the field resolvers would batch anyway), so those lists complete without a promise per sale.
 */
async function salesPageWithLists(
  ctx: GraphQLContext,
  filter: SalesFilterInput,
  args: PageArgs,
  info: GraphQLResolveInfo,
) {
  const page = await salesPage(ctx, filter, args);
  const ids = page.edges.map((e) => e.node.id);
  await Promise.all([
    selects(info, ['edges', 'node', 'items']) && preload(ctx.loaders.saleItems, ids),
    selects(info, ['edges', 'node', 'payments']) && preload(ctx.loaders.salePayments, ids),
  ]);
  return page;
}

@Resolver(() => SaleType)
export class SaleResolver {
  @Authorized()
  @Query(() => SaleType, { nullable: true, description: 'A sale by its ERP id' })
  sale(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): SaleRow | null | Promise<SaleRow | null> {
    return loadedOrLoad(ctx.loaders.sale, id);
  }

  @Authorized()
  @Query(() => SaleConnection, { description: 'Sales, newest first, with cursor pagination' })
  sales(@Args() args: SalesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return salesPageWithLists(ctx, args.filter ?? {}, args, info);
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
  items(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): SaleItemRow[] | Promise<SaleItemRow[]> {
    return loadedOrLoad(ctx.loaders.saleItems, sale.id);
  }

  @FieldResolver(() => [PaymentType])
  payments(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): PaymentRow[] | Promise<PaymentRow[]> {
    return loadedOrLoad(ctx.loaders.salePayments, sale.id);
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
    return loadedOrLoad(ctx.loaders.sale, payment.saleId);
  }
}
