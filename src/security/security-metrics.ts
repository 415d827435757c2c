import { Counter, Registry } from 'prom-client';

/**
 * The security counters, on a registry of their own that every app's `/metrics` serves next to its
 * gateway registry (GatewayMetrics.render). Process-wide: several apps in one process (tests) share them.
 */
export const securityRegistry = new Registry();

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (securityRegistry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [securityRegistry] })
  );
}

/** Refused webhook verifications by reason code and flow. */
export const verificationFailures = counter(
  'axon_webhook_verification_failures_total',
  'Webhook deliveries refused by authentication, signature or allowlist checks',
  ['reason', 'flow'],
);

/** Refused requests to the ops endpoints (`/metrics`, `/health/integrations/:client`) by route and reason code. */
export const opsAccessRefusals = counter(
  'axon_ops_access_refusals_total',
  'Requests to ops endpoints refused for missing, invalid or insufficient credentials',
  ['route', 'reason'],
);
