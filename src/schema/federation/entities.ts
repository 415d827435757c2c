import { CustomerType, LocationType, ProductType } from '../../domain/master-data.type';
import { PurchaseOrderType } from '../../flows/purchase/purchase.type';
import { ReturnType } from '../../flows/returns/return.type';
import { SaleType } from '../../flows/sales/sale.type';
import { TransferType } from '../../flows/transfer/transfer.type';
import { defineEntity, EntityDefinition } from './entity';
import { loadedOrLoad } from '../loaders';

/**
 * The hub's federation entities. Making a type referenceable from other subgraphs is one entry:
 * its class, its key field, and how to load it by that key (always through ctx.loaders).
 */
export const ENTITIES: readonly EntityDefinition[] = [
  defineEntity({ type: SaleType, key: 'id', load: async (ctx, id) => loadedOrLoad(ctx.loaders.sale, id) }),
  defineEntity({ type: CustomerType, key: 'id', load: (ctx, id) => ctx.loaders.customer.load(id) }),
  defineEntity({ type: ProductType, key: 'sku', load: (ctx, sku) => ctx.loaders.product.load(sku) }),
  defineEntity({ type: LocationType, key: 'code', load: (ctx, code) => ctx.loaders.location.load(code) }),
  defineEntity({ type: PurchaseOrderType, key: 'id', load: (ctx, id) => ctx.loaders.purchaseOrder.load(id) }),
  defineEntity({ type: TransferType, key: 'id', load: (ctx, id) => ctx.loaders.transfer.load(id) }),
  defineEntity({ type: ReturnType, key: 'id', load: (ctx, id) => ctx.loaders.return.load(id) }),
];
