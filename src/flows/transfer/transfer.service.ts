import { z } from 'zod';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { checkFactRemovals } from '../../domain/stock-guard';
import { GatewayError } from '../../errors/gateway-error';
import { businessId, code, parseOrThrow, quantity, text } from '../../shared/fields';
import { contentHash } from '../../shared/hash';
import { distinctSkus, receivedQuantity } from './transfer.fields';
import type { CreateTransferInput, ReceiveTransferInput, ShipTransferInput } from './transfer.input';
import { TransferRow, transferRepository, TransferStatus } from './transfer.repository';

const createInput = z.object({
  id: businessId(),
  originCode: code(),
  destinationCode: code(),
  createdAt: z.date(),
  items: z
    .array(z.object({ sku: code(), quantity: quantity() }))
    .min(1)
    .max(500)
    .superRefine(distinctSkus),
});

const shipInput = z.object({
  transferId: businessId(),
  shippedAt: z.date(),
  carrier: text(120),
  trackingCode: text(64),
});

const receiveInput = z.object({
  transferId: businessId(),
  receivedAt: z.date(),
  items: z
    .array(z.object({ sku: code(), quantity: receivedQuantity() }))
    .max(500)
    .superRefine(distinctSkus),
});

const RECEIVED: TransferStatus[] = ['received', 'received_with_divergence'];

/**
 * Transfers: created → shipped → received | received_with_divergence. Shipping takes the sent
 * quantities out of the origin (a fact: recorded even below zero when the client allows it, the
 * movement flagged); receiving puts what actually arrived into the destination and records the
 * divergence per sku.
 */
export class TransferService {
  async createTransfer(q: Queryable, clientId: string, raw: CreateTransferInput): Promise<TransferRow> {
    const input = parseOrThrow(createInput, raw, ['input']);
    if (input.originCode === input.destinationCode) {
      throw new GatewayError('GW_BUSINESS_RULE', 'A transfer needs two different locations', {
        issues: [{ path: 'input.destinationCode', code: 'same_as_origin', message: 'must differ from originCode' }],
      });
    }
    const payloadHash = contentHash(input);
    await masterDataRepository.upsertLocations(q, clientId, [input.originCode, input.destinationCode]);
    await masterDataRepository.upsertProducts(q, clientId, input.items);
    const transfer = await transferRepository.insert(q, clientId, { ...input, payloadHash });
    if (!transfer) {
      const existing = await transferRepository.find(q, clientId, input.id);
      if (existing?.payloadHash === payloadHash) return existing;
      throw new GatewayError(
        'GW_BUSINESS_ID_CONFLICT',
        `A different transfer with id ${input.id} was already registered`,
        { details: { transfer_id: input.id } },
      );
    }
    await transferRepository.insertItems(
      q,
      clientId,
      transfer.id,
      input.items.map((item, i) => ({ lineNo: i + 1, sku: item.sku, quantitySent: item.quantity })),
    );
    await transferRepository.insertEvent(q, clientId, {
      transferId: transfer.id,
      status: 'created',
      occurredAt: input.createdAt,
      payloadHash,
    });
    return transfer;
  }

  async shipTransfer(q: Queryable, clientId: string, raw: ShipTransferInput): Promise<TransferRow> {
    const input = parseOrThrow(shipInput, raw, ['input']);
    const payloadHash = contentHash(input);
    const transfer = await this.lockExisting(q, clientId, input.transferId);
    if (transfer.status !== 'created')
      return this.redeliveredOrRefused(q, clientId, transfer, ['shipped'], payloadHash, 'ship');

    const items = await transferRepository.itemsByTransferIds(q, clientId, [transfer.id]);
    const removals = items.map((i) => ({ locationCode: transfer.originCode, sku: i.sku, quantity: i.quantitySent }));
    await checkFactRemovals(q, clientId, removals);
    await inventoryLedgerRepository.record(
      q,
      clientId,
      items.map((i) => ({
        locationCode: transfer.originCode,
        sku: i.sku,
        delta: -i.quantitySent,
        kind: 'transfer_out',
        sourceType: 'transfer',
        sourceId: transfer.id,
        occurredAt: input.shippedAt,
      })),
    );
    await transferRepository.insertEvent(q, clientId, {
      transferId: transfer.id,
      status: 'shipped',
      occurredAt: input.shippedAt,
      carrier: input.carrier,
      trackingCode: input.trackingCode,
      payloadHash,
    });
    return transferRepository.markShipped(q, clientId, transfer.id, input);
  }

  async receiveTransfer(q: Queryable, clientId: string, raw: ReceiveTransferInput): Promise<TransferRow> {
    const input = parseOrThrow(receiveInput, raw, ['input']);
    const payloadHash = contentHash({ ...input, items: [...input.items].sort((a, b) => a.sku.localeCompare(b.sku)) });
    const transfer = await this.lockExisting(q, clientId, input.transferId);
    if (transfer.status === 'created') {
      throw new GatewayError(
        'GW_INVALID_STATE',
        `Transfer ${transfer.id} has not been shipped; it cannot be received yet`,
        {
          details: { transfer_id: transfer.id, status: transfer.status, missing: { ship_products: transfer.id } },
        },
      );
    }
    if (transfer.status !== 'shipped')
      return this.redeliveredOrRefused(q, clientId, transfer, RECEIVED, payloadHash, 'receive');

    const sent = new Map(
      (await transferRepository.itemsByTransferIds(q, clientId, [transfer.id])).map((i) => [i.sku, i.quantitySent]),
    );
    const arrived = new Map(input.items.map((i) => [i.sku, i.quantity]));
    const lines = [...new Set([...sent.keys(), ...arrived.keys()])].map((sku) => ({
      sku,
      quantity: arrived.get(sku) ?? 0,
      sent: sent.get(sku) ?? 0,
    }));
    const status: TransferStatus = lines.every((l) => l.quantity === l.sent) ? 'received' : 'received_with_divergence';

    await masterDataRepository.upsertProducts(q, clientId, input.items);
    await transferRepository.setReceived(q, clientId, transfer.id, lines);
    await inventoryLedgerRepository.record(
      q,
      clientId,
      lines
        .filter((l) => l.quantity > 0)
        .map((l) => ({
          locationCode: transfer.destinationCode,
          sku: l.sku,
          delta: l.quantity,
          kind: 'transfer_in',
          sourceType: 'transfer',
          sourceId: transfer.id,
          occurredAt: input.receivedAt,
        })),
    );
    await transferRepository.insertEvent(q, clientId, {
      transferId: transfer.id,
      status,
      occurredAt: input.receivedAt,
      payloadHash,
    });
    return transferRepository.markReceived(q, clientId, transfer.id, status, input.receivedAt);
  }

  private async lockExisting(q: Queryable, clientId: string, id: string): Promise<TransferRow> {
    const transfer = await transferRepository.find(q, clientId, id, { forUpdate: true });
    if (transfer) return transfer;
    throw new GatewayError('GW_PREDECESSOR_MISSING', `Transfer ${id} has not been created yet; retry after it`, {
      details: { missing: { transfer_id: id } },
    });
  }

  /**
   * The transition already happened. The same content again (under another delivery id) is a
   * harmless redelivery and changes nothing; anything else is an invalid transition.
   */
  private async redeliveredOrRefused(
    q: Queryable,
    clientId: string,
    transfer: TransferRow,
    done: TransferStatus[],
    payloadHash: string,
    attempted: string,
  ): Promise<TransferRow> {
    const history = await transferRepository.eventsByTransferIds(q, clientId, [transfer.id]);
    if (history.some((e) => done.includes(e.status) && e.payloadHash === payloadHash)) return transfer;
    throw new GatewayError(
      'GW_INVALID_STATE',
      `Transfer ${transfer.id} is ${transfer.status}; it cannot ${attempted} now`,
      {
        details: { transfer_id: transfer.id, status: transfer.status, attempted },
      },
    );
  }
}
