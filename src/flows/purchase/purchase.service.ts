import { z } from 'zod';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { supplierRepository } from '../../domain/supplier.repository';
import { existingOrConflict } from '../../domain/business-id';
import { GatewayError } from '../../errors/gateway-error';
import { businessId, code, isoDate, money as moneyField, parseOrThrow, quantity, text } from '../../shared/fields';
import { contentHash } from '../../shared/hash';
import type {
  ConfirmPurchaseStockInput,
  CreatePurchaseOrderInput,
  ReceivePurchaseDocumentInput,
} from './purchase.input';
import { accessKey, checkDistinctSkus, checkKeyMatchesDocument, nfeNumber, nfeSeries } from './purchase.fields';
import { PurchaseDocumentRow, PurchaseOrderRow, purchaseRepository } from './purchase.repository';

const orderInput = z.object({
  id: businessId(),
  supplier: z.object({
    id: businessId(),
    name: text(200).nullish(),
    document: z
      .string()
      .regex(/^\d{11}$|^\d{14}$/, 'CPF (11 digits) or CNPJ (14 digits)')
      .nullish(),
  }),
  destinationCode: code(),
  expectedAt: isoDate().nullish(),
  orderedAt: z.date(),
  items: z
    .array(z.object({ sku: code(), description: text(200).nullish(), quantity: quantity(), unitCost: moneyField() }))
    .min(1)
    .max(500)
    .superRefine(checkDistinctSkus),
});

const documentInput = z.object({
  orderId: businessId(),
  document: z
    .object({ number: nfeNumber(), series: nfeSeries(), accessKey: accessKey(), issuedAt: z.date() })
    .superRefine((d, ctx) => checkKeyMatchesDocument(d, ctx, 'accessKey')),
  receivedAt: z.date(),
  items: z
    .array(z.object({ sku: code(), quantity: quantity() }))
    .min(1)
    .max(500)
    .superRefine(checkDistinctSkus),
});

const confirmInput = z.object({ orderId: businessId(), documentNumber: nfeNumber(), confirmedAt: z.date() });

/**
 * Purchases: an order names its supplier, destination and items; fiscal documents (NF-e) received
 * against it are matched per sku (divergences over and under); confirmation puts what was received
 * into stock at the destination, once.
 */
export class PurchaseService {
  async createOrder(q: Queryable, clientId: string, raw: CreatePurchaseOrderInput): Promise<PurchaseOrderRow> {
    const input = parseOrThrow(orderInput, raw, ['input']);
    const payloadHash = contentHash(input);
    const s = input.supplier;
    await supplierRepository.upsert(q, clientId, { id: s.id, name: s.name ?? null, document: s.document ?? null });
    await masterDataRepository.upsertLocations(q, clientId, [input.destinationCode]);
    await masterDataRepository.upsertProducts(q, clientId, input.items);
    const order = await purchaseRepository.insertOrder(q, clientId, {
      id: input.id,
      supplierId: s.id,
      destinationCode: input.destinationCode,
      expectedAt: input.expectedAt ?? null,
      orderedAt: input.orderedAt,
      payloadHash,
    });
    if (!order)
      return existingOrConflict(
        await purchaseRepository.findOrder(q, clientId, input.id),
        payloadHash,
        'purchase order',
        { order_id: input.id },
      );
    await purchaseRepository.insertItems(
      q,
      clientId,
      order.id,
      input.items.map((item, i) => ({
        lineNo: i + 1,
        sku: item.sku,
        description: item.description ?? null,
        quantity: item.quantity,
        unitCost: item.unitCost,
      })),
    );
    return order;
  }

  async receiveDocument(
    q: Queryable,
    clientId: string,
    raw: ReceivePurchaseDocumentInput,
  ): Promise<PurchaseDocumentRow> {
    const input = parseOrThrow(documentInput, raw, ['input']);
    const payloadHash = contentHash(input);
    const order = await purchaseRepository.findOrder(q, clientId, input.orderId, { forUpdate: true });
    if (!order) {
      throw new GatewayError(
        'GW_PREDECESSOR_MISSING',
        `Purchase order ${input.orderId} has not been created yet; retry after it`,
        {
          details: { missing: { order_id: input.orderId } },
        },
      );
    }
    const doc = input.document;
    const inserted = await purchaseRepository.insertDocument(q, clientId, {
      orderId: order.id,
      ...doc,
      receivedAt: input.receivedAt,
      payloadHash,
    });
    if (!inserted) {
      const existing = await purchaseRepository.findDocument(q, clientId, order.id, doc.number, doc.accessKey);
      const sameDocument = existing?.orderId === order.id && existing.number === doc.number;
      return existingOrConflict(sameDocument ? existing : null, payloadHash, 'fiscal document', {
        order_id: order.id,
        number: doc.number,
        access_key: doc.accessKey,
      });
    }
    if (order.status === 'confirmed') {
      throw new GatewayError(
        'GW_INVALID_STATE',
        `Purchase order ${order.id} is already confirmed and takes no more documents`,
        {
          details: { order_status: order.status, confirmed_document_number: order.confirmedDocumentNumber },
        },
      );
    }
    await masterDataRepository.upsertProducts(q, clientId, input.items);
    await purchaseRepository.insertDocumentItems(q, clientId, order.id, doc.number, input.items);
    await purchaseRepository.refreshDivergences(q, clientId, order.id);
    if (order.status === 'open') await purchaseRepository.setStatus(q, clientId, order.id, 'received');
    return inserted;
  }

  async confirmStock(q: Queryable, clientId: string, raw: ConfirmPurchaseStockInput): Promise<PurchaseOrderRow> {
    const input = parseOrThrow(confirmInput, raw, ['input']);
    const hash = contentHash(input);
    const order = await purchaseRepository.findOrder(q, clientId, input.orderId, { forUpdate: true });
    if (!order) {
      throw new GatewayError(
        'GW_PREDECESSOR_MISSING',
        `Purchase order ${input.orderId} has not been created yet; retry after it`,
        {
          details: { missing: { order_id: input.orderId } },
        },
      );
    }
    if (order.status === 'confirmed') {
      if (order.confirmationHash === hash) return order; // the same confirmation again: already applied
      throw new GatewayError(
        'GW_INVALID_STATE',
        `Purchase order ${order.id} was already confirmed; its stock is not added twice`,
        {
          details: {
            order_status: order.status,
            confirmed_at: order.confirmedAt,
            confirmed_document_number: order.confirmedDocumentNumber,
          },
        },
      );
    }
    const document = await purchaseRepository.findDocument(q, clientId, order.id, input.documentNumber);
    if (!document) {
      throw new GatewayError(
        'GW_PREDECESSOR_MISSING',
        `Fiscal document ${input.documentNumber} has not been received for purchase order ${order.id}; retry after it`,
        {
          details: { missing: { order_id: order.id, document_number: input.documentNumber } },
        },
      );
    }
    const received = await purchaseRepository.receivedTotals(q, clientId, order.id);
    await inventoryLedgerRepository.record(
      q,
      clientId,
      received.map((r) => ({
        locationCode: order.destinationCode,
        sku: r.sku,
        delta: r.quantity,
        kind: 'purchase_receipt',
        sourceType: 'purchase_order',
        sourceId: order.id,
        occurredAt: input.confirmedAt,
      })),
    );
    return purchaseRepository.markConfirmed(q, clientId, order.id, {
      confirmedAt: input.confirmedAt,
      documentNumber: input.documentNumber,
      hash,
    });
  }
}
