import { CustomerType, LocationType, ProductType } from '../../domain/master-data.type';
import { SaleType } from '../../flows/sales/sale.type';
import { defineEntity, EntityDefinition } from './entity';

/**
 * The hub's federation entities. Making a type referenceable from other subgraphs is one entry:
 * its class, its key field, and how to load it by that key (always through ctx.loaders).
 */
export const ENTITIES: readonly EntityDefinition[] = [
  defineEntity({ type: SaleType, key: 'id', load: (ctx, id) => ctx.loaders.sale.load(id) }),
  defineEntity({ type: CustomerType, key: 'id', load: (ctx, id) => ctx.loaders.customer.load(id) }),
  defineEntity({ type: ProductType, key: 'sku', load: (ctx, sku) => ctx.loaders.product.load(sku) }),
  defineEntity({ type: LocationType, key: 'code', load: (ctx, code) => ctx.loaders.location.load(code) }),
];
