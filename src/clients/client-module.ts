import type { RetrySettings } from '../queue/retry-settings';
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
  /** Retries of its queued events (exponential backoff with jitter); unset fields take the defaults. */
  retry?: Partial<RetrySettings>;
}

export function defineClient(m: ClientModule): ClientModule {
  return m;
}
