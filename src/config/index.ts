import { z } from 'zod';
import { isValidCidr } from '../security/ip';
import type { FactTimeBounds } from '../shared/fields';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The only module that reads the environment. Everything else receives a validated `Config`. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  DATABASE_SSL: z.enum(['disable', 'require', 'no-verify']).default('disable'),
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  EMBEDDED_PG_DIR: z.string().min(1).default('./.data/postgres'),
  /** Unset: 54329, or a free port when that one is taken (src/db/embedded.ts). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  REDIS_CHANNEL_PREFIX: z.string().min(1).max(64).default('axon:'),
  REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  DEV_API_KEY: z.string().min(20, 'must be at least 20 characters').max(200).optional(),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  JSON_MAX_DEPTH: z.coerce.number().int().min(8).max(256).default(64),
  FACT_MIN_DATE: z.iso.date().default('2000-01-01'),
  FACT_MAX_FUTURE_SKEW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(300),
  HEALTH_WINDOW_SECONDS: z.coerce.number().int().min(10).default(900),
  HEALTH_ERROR_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.25),
  HEALTH_MIN_EVENTS: z.coerce.number().int().min(1).default(4),
  HEALTH_READY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1500),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).default('authenticated'),
  /** Clock difference tolerated on a JWT's `iat`, `nbf` and `exp`. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  METRICS_TOKEN: z
    .string()
    .regex(
      /^[\x21-\x7e]{32,512}$/,
      'must be 32 to 512 visible ASCII characters (no spaces), e.g. `openssl rand -hex 32`',
    )
    .optional(),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine((v) => list(v).every(isValidCidr), 'must be comma-separated IP addresses or CIDRs'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .refine(
      (v) => list(v).every((o) => /^https?:\/\/[^/\s]+$/.test(o)),
      'must be comma-separated origins such as https://app.example.com',
    ),
  RATE_LIMIT_ENABLED: z.enum(['true', 'false']).optional(),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_WEBHOOKS_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_GRAPHQL_MAX: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_OTHER_MAX: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_NAMESPACE: z
    .string()
    .regex(/^[\w:-]{1,64}$/)
    .default('axon-rl:'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(8),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(20000),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(15),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(20),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
  GRAPHQL_JIT: z.enum(['true', 'false']).default('true'),
  GROUP_COMMIT_MAX: z.coerce.number().int().min(1).max(256).default(32),
  QUEUE_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  QUEUE_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(8),
  QUEUE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(6),
  QUEUE_POLL_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(0.5),
  QUEUE_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  QUEUE_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  BREAKER_HALF_OPEN_AFTER_MS: z.coerce.number().int().min(1).default(60_000),
  BREAKER_WINDOW_MS: z.coerce.number().int().min(1).default(120_000),
  POLICY_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  POLICY_RETRY_ATTEMPTS: z.coerce.number().int().min(0).max(10).default(2),
  POLICY_RETRY_INITIAL_DELAY_MS: z.coerce.number().int().min(1).default(50),
  POLICY_BULKHEAD_LIMIT: z.coerce.number().int().min(1).default(50),
  POLICY_BULKHEAD_QUEUE: z.coerce.number().int().min(0).default(200),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  PRESSURE_MAX_HEAP_USED_BYTES: z.coerce.number().int().min(0).default(0),
  PRESSURE_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(5),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).default(15_000),
  METRICS_AGGREGATE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(30),
  METRICS_LATENESS_SECONDS: z.coerce.number().int().min(0).default(300),
  METRICS_MINUTE_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  METRICS_HOUR_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  RULES_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  RULES_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  RULES_WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  RULES_WEBHOOK_RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** Jobs of the evaluate-event queue a worker takes at once (their RFM re-scoring is one statement per client). */
  RULES_QUEUE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  /**
   * How long an instance trusts its cached rule set of a client (changes made on this instance
   * invalidate it at once).
   */
  RULES_CACHE_TTL_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  RULES_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  RULES_BREAKER_HALF_OPEN_SECONDS: z.coerce.number().int().min(1).default(30),
  /** JSON: client id → where its source lives (a database URL, an API base URL or a directory). */
  ETL_SOURCES: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return z.record(z.string(), z.string().min(1)).parse(JSON.parse(v));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of client id → source location' });
        return z.NEVER;
      }
    }),
  ETL_CHUNK_SIZE: z.coerce.number().int().min(1).max(50_000).default(1000),
  ETL_LEASE_SECONDS: z.coerce.number().int().min(0).default(300),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: string;
  databaseUrl?: string;
  databasePoolMax: number;
  databaseSsl: 'disable' | 'require' | 'no-verify';
  /** Named prepared statements (off behind a pooler in transaction mode that cannot keep them). */
  databasePreparedStatements: boolean;
  /** Longest waits for the store (0: none): a connection, and a statement's answer (src/db/database.ts). */
  databaseTimeouts: { connectMs: number; statementMs: number };
  /** `port` undefined: 54329, or a free port when that one is taken. */
  embeddedPg: { dir: string; port?: number };
  redisUrl?: string;
  /**
   * Prefix of the hub's Redis pub/sub channels (instances of one hub share it; other hubs or test
   * runs on the same Redis do not).
   */
  redisChannelPrefix: string;
  /** Longest waits for Redis: its connection, and a command's answer (then rate limits fail open). */
  redisTimeouts: { connectMs: number; commandMs: number };
  devApiKey?: string;
  /** How long a verified API key is trusted without asking the database (revocations elsewhere take this long). */
  apiKeyCacheSeconds: number;
  webhookBodyLimitBytes: number;
  /** Deepest nesting of arrays and objects a JSON body or GraphQL variables may have. */
  jsonMaxDepth: number;
  /** Bounds of the date-times a webhook fact may carry (src/shared/fields.ts `timestamp`). */
  factTime: FactTimeBounds;
  health: { windowSeconds: number; errorRateThreshold: number; minEvents: number; readyTimeoutMs: number };
  security: SecurityConfig;
  queue: QueueConfig;
  /** Most deliveries of one lane (e.g. one client's sales) committed together under load; 1 = each alone. */
  groupCommitMax: number;
  /** Queries run through graphql-jit (false: graphql-js `execute` for everything). */
  graphqlJit: boolean;
  policy: PolicyConfig;
  pressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; retryAfterSeconds: number };
  shutdownGraceMs: number;
  metricsHistory: {
    intervalSeconds: number;
    latenessSeconds: number;
    minuteRetentionDays: number;
    hourRetentionDays: number;
  };
  ruleWebhooks: RuleWebhookConfig;
  rules: { queueBatchSize: number; cacheTtlMs: number };
  etl: { sources: Record<string, string>; chunkSize: number; leaseSeconds: number };
}

/** Outbound rule webhooks: one HTTP call per `rule-outbound-webhook` job attempt, retried by the queue. */
export interface RuleWebhookConfig {
  timeoutMs: number;
  /** Attempts in all, the first included; then the job goes to `rule-outbound-webhook-dead`. */
  attempts: number;
  retryDelaySeconds: number;
  retryMaxDelaySeconds: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

/** The durable webhook queue (pg-boss on the same Postgres). workers = 0: this instance only ingests. */
export interface QueueConfig {
  /** Fetch loops per instance; each applies up to `batchSize` events (of distinct entities) at once. */
  workers: number;
  batchSize: number;
  poolMax: number;
  pollIntervalSeconds: number;
  expireSeconds: number;
  superviseIntervalSeconds: number;
}

/** Defaults of every resilience policy (timeout → breaker → retry, plus a bulkhead). */
export interface PolicyConfig {
  breakerFailures: number;
  halfOpenAfterMs: number;
  breakerWindowMs: number;
  timeoutMs: number;
  retryAttempts: number;
  retryInitialDelayMs: number;
  bulkheadLimit: number;
  bulkheadQueue: number;
}

export interface SecurityConfig {
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience: string; clockSkewSeconds: number };
  /** Peers (IP or CIDR) whose X-Forwarded-For is believed. Empty: the socket address is the client. */
  trustedProxies: string[];
  /** Origins allowed by CORS. Empty: CORS closed (no CORS headers). */
  corsOrigins: string[];
  /**
   * The Prometheus scrape token: `Authorization: Bearer <it>` opens `/metrics` (ops JWTs do too).
   * Unset: ops JWTs only.
   */
  metricsToken?: string;
  rateLimit: {
    enabled: boolean;
    windowSeconds: number;
    max: { webhooks: number; graphql: number; other: number };
    namespace: string;
  };
  graphqlLimits: { maxDepth: number; maxCost: number; maxAliases: number; maxDirectives: number; maxTokens: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.DEV_API_KEY !== undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  DEV_API_KEY: must not be set when NODE_ENV=production (it is a development key that ' +
        'every client would accept); unset it and issue keys with `npm run keys -- create --client <id>`',
    );
  }
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseSsl: e.DATABASE_SSL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'true',
    databaseTimeouts: { connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS },
    embeddedPg: { dir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT },
    redisUrl: e.REDIS_URL,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    redisTimeouts: { connectMs: e.REDIS_CONNECT_TIMEOUT_MS, commandMs: e.REDIS_COMMAND_TIMEOUT_MS },
    devApiKey: e.DEV_API_KEY,
    apiKeyCacheSeconds: e.API_KEY_CACHE_SECONDS,
    webhookBodyLimitBytes: e.WEBHOOK_BODY_LIMIT_BYTES,
    jsonMaxDepth: e.JSON_MAX_DEPTH,
    factTime: { minDate: e.FACT_MIN_DATE, maxFutureSkewSeconds: e.FACT_MAX_FUTURE_SKEW_SECONDS },
    health: {
      windowSeconds: e.HEALTH_WINDOW_SECONDS,
      errorRateThreshold: e.HEALTH_ERROR_RATE_THRESHOLD,
      minEvents: e.HEALTH_MIN_EVENTS,
      readyTimeoutMs: e.HEALTH_READY_TIMEOUT_MS,
    },
    security: {
      jwt: {
        secret: e.JWT_SECRET,
        jwksUrl: e.JWT_JWKS_URL,
        issuer: e.JWT_ISSUER,
        audience: e.JWT_AUDIENCE,
        clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
      },
      trustedProxies: list(e.TRUSTED_PROXIES),
      corsOrigins: list(e.CORS_ORIGINS),
      metricsToken: e.METRICS_TOKEN,
      rateLimit: {
        // Tests build many apps from one process; they opt in to rate limits explicitly.
        enabled: (e.RATE_LIMIT_ENABLED ?? String(e.NODE_ENV !== 'test')) === 'true',
        windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
        max: { webhooks: e.RATE_LIMIT_WEBHOOKS_MAX, graphql: e.RATE_LIMIT_GRAPHQL_MAX, other: e.RATE_LIMIT_OTHER_MAX },
        namespace: e.RATE_LIMIT_NAMESPACE,
      },
      graphqlLimits: {
        maxDepth: e.GRAPHQL_MAX_DEPTH,
        maxCost: e.GRAPHQL_MAX_COST,
        maxAliases: e.GRAPHQL_MAX_ALIASES,
        maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
        maxTokens: e.GRAPHQL_MAX_TOKENS,
      },
    },
    groupCommitMax: e.GROUP_COMMIT_MAX,
    graphqlJit: e.GRAPHQL_JIT === 'true',
    queue: {
      workers: e.QUEUE_WORKERS,
      batchSize: e.QUEUE_BATCH_SIZE,
      poolMax: e.QUEUE_POOL_MAX,
      pollIntervalSeconds: e.QUEUE_POLL_INTERVAL_SECONDS,
      expireSeconds: e.QUEUE_EXPIRE_SECONDS,
      superviseIntervalSeconds: e.QUEUE_SUPERVISE_INTERVAL_SECONDS,
    },
    policy: {
      breakerFailures: e.BREAKER_FAILURES,
      halfOpenAfterMs: e.BREAKER_HALF_OPEN_AFTER_MS,
      breakerWindowMs: e.BREAKER_WINDOW_MS,
      timeoutMs: e.POLICY_TIMEOUT_MS,
      retryAttempts: e.POLICY_RETRY_ATTEMPTS,
      retryInitialDelayMs: e.POLICY_RETRY_INITIAL_DELAY_MS,
      bulkheadLimit: e.POLICY_BULKHEAD_LIMIT,
      bulkheadQueue: e.POLICY_BULKHEAD_QUEUE,
    },
    pressure: {
      maxEventLoopDelayMs: e.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: e.PRESSURE_MAX_HEAP_USED_BYTES,
      retryAfterSeconds: e.PRESSURE_RETRY_AFTER_SECONDS,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    metricsHistory: {
      intervalSeconds: e.METRICS_AGGREGATE_INTERVAL_SECONDS,
      latenessSeconds: e.METRICS_LATENESS_SECONDS,
      minuteRetentionDays: e.METRICS_MINUTE_RETENTION_DAYS,
      hourRetentionDays: e.METRICS_HOUR_RETENTION_DAYS,
    },
    ruleWebhooks: {
      timeoutMs: e.RULES_WEBHOOK_TIMEOUT_MS,
      attempts: e.RULES_WEBHOOK_ATTEMPTS,
      retryDelaySeconds: e.RULES_WEBHOOK_RETRY_DELAY_SECONDS,
      retryMaxDelaySeconds: e.RULES_WEBHOOK_RETRY_MAX_DELAY_SECONDS,
      breakerThreshold: e.RULES_BREAKER_THRESHOLD,
      breakerHalfOpenAfterMs: e.RULES_BREAKER_HALF_OPEN_SECONDS * 1000,
    },
    rules: { queueBatchSize: e.RULES_QUEUE_BATCH_SIZE, cacheTtlMs: e.RULES_CACHE_TTL_SECONDS * 1000 },
    etl: { sources: e.ETL_SOURCES, chunkSize: e.ETL_CHUNK_SIZE, leaseSeconds: e.ETL_LEASE_SECONDS },
  };
}
