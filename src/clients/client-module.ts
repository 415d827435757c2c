import type { RetrySettings } from '../queue/retry-settings';
import type { ClientEtl } from '../flows/etl/etl-source';
import type { FlowKey } from '../webhooks/flows';
import type { ClientFlow } from './client-flow';

export interface ClientSettings {
  /**
   * Facts that take stock out (sales, adjustments, shipments) report what already happened: when true
   * they are recorded even if stock goes below zero (the movement is flagged `below_zero`); when false
   * they are refused with 422 GW_INSUFFICIENT_STOCK.
   */
  allowNegativeStock: boolean;
}

/**
 * How a client's webhooks must authenticate, and from where. Stored per client (client_security);
 * these are the defaults.
 */
export interface ClientSecurityDefaults {
  /** `api_key` (x-api-key), `signature` (Standard Webhooks) or `both`. */
  schemes: 'api_key' | 'signature' | 'both';
  /** CIDRs the client's deliveries may come from; empty: any address. */
  ipAllowlist: string[];
  /** Requests per rate-limit window, per endpoint, overriding the gateway's defaults. */
  rateLimits: Partial<Record<'webhooks' | 'graphql', number>>;
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
  security?: Partial<ClientSecurityDefaults>;
  /** Retries of its queued events (exponential backoff with jitter); unset fields take the defaults. */
  retry?: Partial<RetrySettings>;
  /** Where the ETL reads the client's own systems and how their fields map to the hub's model. */
  etl?: ClientEtl;
}

export function defineClient(m: ClientModule): ClientModule {
  return m;
}
