import 'reflect-metadata';
import underPressure from '@fastify/under-pressure';
import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import type { Config } from './config';
import { analyticsRuntime } from './analytics/analytics.plugin';
import { Database } from './db/database';
import { registerOpenApi } from './docs/docs.routes';
import { ERROR_STATUS, GatewayError, internalErrorBody } from './errors/gateway-error';
import { healthRoutes } from './health/health.routes';
import { metricsRoutes } from './metrics/metrics.routes';
import { opsRoutes } from './ops/ops.routes';
import { httpGuards } from './security/http-guards';
import { redactingLogger } from './security/log-redaction';
import { opsAccess } from './security/ops-access';
import { forbiddenJsonEscape } from './shared/json-escapes';
import { nestedDeeperThan, tooDeep } from './shared/json-depth';
import { buildGatewaySchema } from './schema/build-schema';
import { graphqlPlugin } from './schema/graphql.plugin';
import { createServices, Services } from './services';
import { subscriptionsPlugin } from './subscriptions/subscriptions.plugin';
import { WebhookPipeline } from './webhooks/webhook.pipeline';
import { webhookRoutes } from './webhooks/webhook.routes';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (signatures and the audit trail need the bytes, not a re-serialisation). */
    rawBody?: string;
  }
}

/** Fastify's own refusals, mapped to gateway codes. */
const FASTIFY_CODES: Record<string, keyof typeof ERROR_STATUS> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'GW_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GW_MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'GW_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GW_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'GW_MALFORMED_JSON',
};

export interface AppDeps {
  config: Config;
  db: Database;
  services?: Services;
  /** Where logs go (default stdout); tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
}

export interface App {
  server: FastifyInstance;
  services: Services;
}

export async function buildApp({
  config,
  db,
  services = createServices(db, config),
  logStream,
}: AppDeps): Promise<App> {
  const server = Fastify({
    // Credentials never reach a log line (URLs, headers, messages): src/security/log-redaction.ts.
    logger: { level: config.logLevel, ...redactingLogger(), ...(logStream && { stream: logStream }) },
    bodyLimit: config.webhookBodyLimitBytes,
    trustProxy: false,
  });

  // JSON only: any other media type is refused with 415 rather than half-understood.
  server.removeContentTypeParser(['text/plain']);

  const parseJson = server.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, raw, done) => {
    let body: string;
    try {
      body = utf8.decode(raw as Buffer); // invalid UTF-8 is refused, never silently replaced with U+FFFD
    } catch {
      return done(new GatewayError('GW_INVALID_ENCODING', 'The body is not valid UTF-8'), undefined);
    }
    const escape = body.includes('\\u') ? forbiddenJsonEscape(body) : null;
    if (escape)
      return done(
        new GatewayError('GW_INVALID_ENCODING', `The body carries ${escape}, which is not valid text`),
        undefined,
      );
    req.rawBody = body;
    if (body.length === 0)
      return done(new GatewayError('GW_MALFORMED_JSON', 'The body is empty; expected JSON'), undefined);
    parseJson(req, body, (err, value) => {
      if (err) return done(new GatewayError('GW_MALFORMED_JSON', 'The body is not valid JSON'), undefined);
      // Hashing, logging and validation recurse: a body nested thousands of levels is refused before any of them.
      if (nestedDeeperThan(value, config.jsonMaxDepth)) return done(tooDeep(config.jsonMaxDepth), undefined);
      return done(null, value);
    });
  });

  server.setErrorHandler((err: FastifyError | GatewayError, req, reply) => {
    if (err instanceof GatewayError) {
      if (err.httpStatus === 503) reply.header('retry-after', config.pressure.retryAfterSeconds);
      return reply.code(err.httpStatus).send(err.toBody());
    }
    const code = err.code && FASTIFY_CODES[err.code];
    if (code) return reply.code(ERROR_STATUS[code]).send(new GatewayError(code, err.message).toBody());
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ ok: false, error: { code: 'GW_BAD_REQUEST', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(internalErrorBody());
  });
  server.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(new GatewayError('GW_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0].slice(0, 200)}`).toBody()),
  );

  await server.register(underPressure, {
    maxEventLoopDelay: config.pressure.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.pressure.maxHeapUsedBytes,
    retryAfter: config.pressure.retryAfterSeconds,
    // Deliveries are not shed: the pipeline stores and queues them (cheap) instead of applying them.
    pressureHandler: (req, reply) => {
      if (req.method === 'POST' && req.url.startsWith('/api/v1/webhooks/')) return;
      reply.code(503).header('retry-after', config.pressure.retryAfterSeconds);
      // A returned value is sent as the reply by the plugin (its types only admit void).
      return new GatewayError(
        'GW_OVERLOADED',
        'The gateway is under pressure; retry later',
      ).toBody() as unknown as void;
    },
  });
  const pipeline = new WebhookPipeline({
    db,
    schema: buildGatewaySchema(),
    services,
    log: server.log,
    underPressure: () => server.isUnderPressure(),
    groupCommitMax: config.groupCommitMax,
    jit: config.graphqlJit,
    factTime: config.factTime,
  });
  services.queue.handle({
    process: (job, last) => pipeline.processQueued(job, last),
    deadLettered: (job) => pipeline.deadLettered(job),
  });
  server.addHook('onReady', () => services.queue.start(server.log));
  // At the signal, while the HTTP server drains: workers take no new jobs (their current ones finish).
  server.addHook('preClose', async () => services.queue.stopTakingJobs());
  // ETL runs in flight stop after their current chunk; their jobs resume them on the next worker.
  server.addHook('preClose', async () => services.etl.stop());
  server.addHook('onClose', () => services.queue.stop(config.shutdownGraceMs));
  await registerOpenApi(server);
  await httpGuards(server, { config, services });
  const access = opsAccess({ config, services });
  await server.register(metricsRoutes, { metrics: services.metrics, access });
  await server.register(healthRoutes, { db, health: services.health, access });
  await server.register(opsRoutes);
  await server.register(webhookRoutes, { pipeline, bodyLimit: config.webhookBodyLimitBytes, db, services });
  await server.register(graphqlPlugin, { config, db, services });
  await server.register(subscriptionsPlugin, { config, db, services });
  await server.register(analyticsRuntime, { services });
  return { server, services };
}
