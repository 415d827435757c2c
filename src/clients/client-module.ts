import type { FlowKey } from '../webhooks/flows';
import type { ClientFlow } from './client-flow';

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
  /** Per flow, how this client's payloads become the canonical ones; a flow without one receives them as they are. */
  mappings?: { [F in FlowKey]?: ClientFlow<F> };
}

export function defineClient(m: ClientModule): ClientModule {
  return m;
}
