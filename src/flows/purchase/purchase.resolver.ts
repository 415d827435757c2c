import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LocationType, ProductType } from '../../domain/master-data.type';
import { SupplierType } from '../../domain/supplier.type';
import { GraphQLContext, tenantOf } from '../../schema/context';
import { ConfirmPurchaseStockInput, CreatePurchaseOrderInput, ReceivePurchaseDocumentInput } from './purchase.input';
import {
  PurchaseDivergenceRow,
  PurchaseDocumentItemRow,
  PurchaseDocumentRow,
  PurchaseOrderItemRow,
  PurchaseOrderRow,
} from './purchase.repository';
import {
  PurchaseDivergenceType,
  PurchaseDocumentItemType,
  PurchaseDocumentType,
  PurchaseOrderItemType,
  PurchaseOrderType,
} from './purchase.type';

@Resolver(() => PurchaseOrderType)
export class PurchaseOrderResolver {
  @Authorized()
  @Query(() => PurchaseOrderType, { nullable: true, description: 'A purchase order by its ERP id' })
  purchaseOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<PurchaseOrderRow | null> {
    return ctx.loaders.purchaseOrder.load(id);
  }

  @Authorized()
  @Mutation(() => PurchaseOrderType)
  createPurchaseOrder(
    @Arg('input') input: CreatePurchaseOrderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PurchaseOrderRow> {
    return ctx.unitOfWork((q) => ctx.services.purchases.createOrder(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => PurchaseDocumentType)
  receivePurchaseDocument(
    @Arg('input') input: ReceivePurchaseDocumentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PurchaseDocumentRow> {
    return ctx.unitOfWork((q) => ctx.services.purchases.receiveDocument(q, tenantOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => PurchaseOrderType)
  confirmPurchaseStock(
    @Arg('input') input: ConfirmPurchaseStockInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PurchaseOrderRow> {
    return ctx.unitOfWork((q) => ctx.services.purchases.confirmStock(q, tenantOf(ctx), input));
  }

  @FieldResolver(() => SupplierType)
  supplier(@Root() order: PurchaseOrderRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.supplier.load(order.supplierId);
  }

  @FieldResolver(() => LocationType)
  destination(@Root() order: PurchaseOrderRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.location.load(order.destinationCode);
  }

  @FieldResolver(() => [PurchaseOrderItemType])
  items(@Root() order: PurchaseOrderRow, @Ctx() ctx: GraphQLContext): Promise<PurchaseOrderItemRow[]> {
    return ctx.loaders.purchaseOrderItems.load(order.id);
  }

  @FieldResolver(() => [PurchaseDocumentType], {
    description: 'fiscal documents received against the order, in order of receipt',
  })
  documents(@Root() order: PurchaseOrderRow, @Ctx() ctx: GraphQLContext): Promise<PurchaseDocumentRow[]> {
    return ctx.loaders.purchaseDocuments.load(order.id);
  }

  @FieldResolver(() => [PurchaseDivergenceType], {
    description: 'skus whose received quantity differs from the ordered one',
  })
  divergences(@Root() order: PurchaseOrderRow, @Ctx() ctx: GraphQLContext): Promise<PurchaseDivergenceRow[]> {
    return ctx.loaders.purchaseDivergences.load(order.id);
  }
}

@Resolver(() => PurchaseDocumentType)
export class PurchaseDocumentResolver {
  @FieldResolver(() => [PurchaseDocumentItemType])
  items(@Root() doc: PurchaseDocumentRow, @Ctx() ctx: GraphQLContext): Promise<PurchaseDocumentItemRow[]> {
    return ctx.loaders.purchaseDocumentItems.load({ orderId: doc.orderId, number: doc.number });
  }

  @FieldResolver(() => PurchaseOrderType)
  order(@Root() doc: PurchaseDocumentRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.purchaseOrder.load(doc.orderId);
  }
}

@Resolver(() => PurchaseOrderItemType)
export class PurchaseOrderItemResolver {
  @FieldResolver(() => ProductType)
  product(@Root() item: PurchaseOrderItemRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(item.sku);
  }
}

@Resolver(() => PurchaseDocumentItemType)
export class PurchaseDocumentItemResolver {
  @FieldResolver(() => ProductType)
  product(@Root() item: PurchaseDocumentItemRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(item.sku);
  }
}

@Resolver(() => PurchaseDivergenceType)
export class PurchaseDivergenceResolver {
  @FieldResolver(() => ProductType)
  product(@Root() d: PurchaseDivergenceRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.product.load(d.sku);
  }
}
