import type { ClientEtl } from '../flows/etl/etl-source';
import type { FlowKey } from '../webhooks/flows';

export interface ClientSettings {
  /** Sales report what happened at the till: when true they are recorded even if stock goes below zero (and flagged). */
  allowNegativeStockOnSale: boolean;
}

/** A client (tenant) of the hub: its identity, the flows it uses, and its defaults. */
export interface ClientModule {
  id: string;
  name: string;
  timezone: string;
  flows: readonly FlowKey[];
  settings: ClientSettings;
  /** Where the ETL reads the client's own systems and how their fields map to the hub's model. */
  etl?: ClientEtl;
}

export function defineClient(m: ClientModule): ClientModule {
  return m;
}
