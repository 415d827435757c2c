import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LocationType, ProductType } from '../../domain/master-data.type';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { loadedOrLoad } from '../../schema/loaders';
import { DecimalScalar } from '../../schema/scalars';
import { formatMoney, money, sumMoney } from '../../shared/money';
import type { SaleRow } from '../sales/sale.repository';
import { SaleType } from '../sales/sale.type';
import { ProcessRefundInput, RegisterReturnInput } from './return.input';
import { RefundRow, ReturnItemRow, ReturnRow } from './return.repository';
import { RefundType, ReturnItemType, ReturnType } from './return.type';

@Resolver(() => ReturnType)
export class ReturnResolver {
  @Authorized()
  @Query(() => ReturnType, { name: 'return', nullable: true, description: 'A return by its ERP id' })
  returnById(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ReturnRow | null> {
    return ctx.loaders.return.load(id);
  }

  @Authorized()
  @Query(() => [ReturnType], { description: "A sale's returns, oldest first (empty for an unknown sale)" })
  returns(@Arg('saleId', () => ID) saleId: string, @Ctx() ctx: GraphQLContext): Promise<ReturnRow[]> {
    return ctx.loaders.saleReturns.load(saleId);
  }

  @Authorized()
  @Mutation(() => ReturnType)
  registerReturn(@Arg('input') input: RegisterReturnInput, @Ctx() ctx: GraphQLContext): Promise<ReturnRow> {
    return ctx.unitOfWork((q) => ctx.services.returns.registerReturn(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => RefundType)
  processRefund(@Arg('input') input: ProcessRefundInput, @Ctx() ctx: GraphQLContext): Promise<RefundRow> {
    return ctx.unitOfWork((q) => ctx.services.returns.processRefund(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => DecimalScalar, { description: 'value − refundedAmount' })
  refundableAmount(@Root() r: ReturnRow): string {
    return formatMoney(money(r.value).minus(r.refundedAmount));
  }

  @FieldResolver(() => SaleType)
  sale(@Root() r: ReturnRow, @Ctx() ctx: GraphQLContext) {
    return loadedOrLoad(ctx.loaders.sale, r.saleId);
  }

  @FieldResolver(() => LocationType)
  store(@Root() r: ReturnRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(r.storeCode);
  }

  @FieldResolver(() => [ReturnItemType])
  items(@Root() r: ReturnRow, @Ctx() ctx: GraphQLContext): Promise<ReturnItemRow[]> {
    return ctx.loaders.returnItems.load(r.id);
  }

  @FieldResolver(() => [RefundType])
  refunds(@Root() r: ReturnRow, @Ctx() ctx: GraphQLContext): Promise<RefundRow[]> {
    return ctx.loaders.returnRefunds.load(r.id);
  }
}

@Resolver(() => ReturnItemType)
export class ReturnItemResolver {
  @FieldResolver(() => ProductType)
  product(@Root() item: ReturnItemRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(item.sku);
  }
}

@Resolver(() => RefundType)
export class RefundResolver {
  @FieldResolver(() => ReturnType, { name: 'return' })
  returnOf(@Root() refund: RefundRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.return.load(refund.returnId);
  }
}

/** The returns side of a sale, kept here so the sales flow does not depend on returns. */
@Resolver(() => SaleType)
export class SaleReturnsResolver {
  @FieldResolver(() => [ReturnType], { description: 'The returns of this sale, oldest first' })
  returns(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): Promise<ReturnRow[]> {
    return ctx.loaders.saleReturns.load(sale.id);
  }

  @FieldResolver(() => DecimalScalar, {
    description: 'total − the value of the returned items as sold; 0.00 once the sale is cancelled',
  })
  async netTotal(@Root() sale: SaleRow, @Ctx() ctx: GraphQLContext): Promise<string> {
    if (sale.status === 'cancelled') return '0.00';
    const returns = await ctx.loaders.saleReturns.load(sale.id);
    return formatMoney(money(sale.total).minus(sumMoney(returns.map((r) => r.value))));
  }
}
