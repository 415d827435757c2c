import type { PolicyConfig } from '../config';
import {
  asConnectorPolicy,
  ConnectorPolicy,
  isTransientSourceError,
  ResiliencePolicy,
} from '../resilience/policy-registry';

export { isTransientSourceError };
export type { ConnectorPolicy };

/**
 * A connector's policy outside the gateway (scripts, tests, the ETL service before it is wired): a
 * `ResiliencePolicy` of src/resilience/policy-registry.ts, not registered, counting and retrying only
 * transient source errors. No breaker or retry logic of its own. In the gateway connectors take
 * their client's registered policy: `asConnectorPolicy(services.policies.forConnector(client, name))`.
 */
export interface ConnectorPolicyOptions {
  /** The whole call, retries included (the registry's timeout). */
  timeoutMs: number;
  /** Failed calls (after their retries) that open the breaker, and how long it stays open. */
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Retries after the first attempt (the design's 3), exponential backoff with jitter. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CONNECTOR_POLICY: ConnectorPolicyOptions = {
  timeoutMs: 30_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  retries: 3,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
};

/** The registry's policy for one connector, built from connector options. */
export function connectorPolicy(opts: Partial<ConnectorPolicyOptions> = {}, name = 'standalone'): ConnectorPolicy {
  const o = { ...DEFAULT_CONNECTOR_POLICY, ...opts };
  const config: PolicyConfig = {
    timeoutMs: o.timeoutMs,
    breakerFailures: o.breakerThreshold,
    breakerWindowMs: Math.max(o.halfOpenAfterMs, 120_000),
    halfOpenAfterMs: o.halfOpenAfterMs,
    retryAttempts: o.retries,
    retryInitialDelayMs: o.initialDelayMs,
    bulkheadLimit: 50,
    bulkheadQueue: 200,
  };
  const policy = new ResiliencePolicy('', 'connector', `connector:${name}`, config, () => undefined, {
    failing: isTransientSourceError,
    retryable: isTransientSourceError,
    maxRetryDelayMs: o.maxDelayMs,
  });
  return asConnectorPolicy(policy);
}
