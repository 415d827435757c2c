import { z } from 'zod';

/** The only module that reads the environment. Everything else receives a validated `Config`. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  DATABASE_SSL: z.enum(['disable', 'require', 'no-verify']).default('disable'),
  EMBEDDED_PG_DIR: z.string().min(1).default('./.data/postgres'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  DEV_API_KEY: z.string().min(20, 'must be at least 20 characters').max(200).optional(),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  HEALTH_WINDOW_SECONDS: z.coerce.number().int().min(10).default(900),
  HEALTH_ERROR_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.25),
  HEALTH_MIN_EVENTS: z.coerce.number().int().min(1).default(4),
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
  embeddedPg: { dir: string; port: number };
  redisUrl?: string;
  devApiKey?: string;
  webhookBodyLimitBytes: number;
  health: { windowSeconds: number; errorRateThreshold: number; minEvents: number };
  etl: { sources: Record<string, string>; chunkSize: number; leaseSeconds: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseSsl: e.DATABASE_SSL,
    embeddedPg: { dir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT },
    redisUrl: e.REDIS_URL,
    devApiKey: e.DEV_API_KEY,
    webhookBodyLimitBytes: e.WEBHOOK_BODY_LIMIT_BYTES,
    health: {
      windowSeconds: e.HEALTH_WINDOW_SECONDS,
      errorRateThreshold: e.HEALTH_ERROR_RATE_THRESHOLD,
      minEvents: e.HEALTH_MIN_EVENTS,
    },
    etl: { sources: e.ETL_SOURCES, chunkSize: e.ETL_CHUNK_SIZE, leaseSeconds: e.ETL_LEASE_SECONDS },
  };
}
