import type { RegisterPaymentInput, RegisterSaleInput } from '../sales/sale.input';

/**
 * The hub's model of what a client's systems hold, as the ETL loads it. Sales and payments are the
 * sales flow's own inputs, so the documents go through the same services as the webhooks.
 */
export type CanonicalSale = RegisterSaleInput;
export type CanonicalPayment = RegisterPaymentInput;

/** The returns flow's RegisterReturnInput (flows-b). */
export interface CanonicalReturn {
  id: string;
  saleId: string;
  storeCode: string;
  returnedAt: Date;
  items: Array<{ sku: string; quantity: number; reason?: string | null }>;
}

/** An end-of-day stock position as the ERP sees it. */
export interface CanonicalStockPosition {
  locationCode: string;
  sku: string;
  quantity: number;
}

export interface CanonicalDocuments {
  sale: CanonicalSale;
  payment: CanonicalPayment;
  return: CanonicalReturn;
  stock_position: CanonicalStockPosition;
}

export type DocumentKindName = keyof CanonicalDocuments;

/** One document out of the transform stage, or the reason it could not be read; `rows` = source records it used. */
export type Transformed<T> = { id: string; rows: number; doc: T } | { id: string; rows: number; error: string };
