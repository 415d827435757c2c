import { inventoryFlow } from '../flows/inventory/inventory.webhook';
import { purchaseFlow } from '../flows/purchase/purchase.webhook';
import { etlFlow } from '../flows/etl/etl.webhook';
import { salesFlow } from '../flows/sales/sale.webhook';
import { transferFlow } from '../flows/transfer/transfer.webhook';
import { returnsFlow } from '../flows/returns/return.webhook';
import { FlowDefinition } from './flow-definition';

/** Every flow the gateway knows, by key. A client module chooses which of them it enables. */
export const FLOWS = {
  sales: salesFlow,
  purchase: purchaseFlow,
  inventory: inventoryFlow,
  transfer: transferFlow,
  returns: returnsFlow,
  etl: etlFlow,
} satisfies Record<string, FlowDefinition>;

export type FlowKey = keyof typeof FLOWS;

const byPath = new Map<string, FlowDefinition>(Object.values(FLOWS).map((f) => [f.path, f]));

export function flowByPath(path: string): FlowDefinition | undefined {
  return byPath.get(path);
}
