import { Counter, register } from 'prom-client';

const NAME = 'axon_webhook_verification_failures_total';

/** Refused webhook verifications by reason code and flow (prom-client's default registry, served at /metrics). */
export const verificationFailures: Counter<'reason' | 'flow'> =
  (register.getSingleMetric(NAME) as Counter<'reason' | 'flow'> | undefined) ??
  new Counter({ name: NAME, help: 'Webhook deliveries refused by authentication, signature or allowlist checks', labelNames: ['reason', 'flow'] });
