import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ServerHandle {
  port: number;
  pid: number;
  extra: string[];
  stop(): Promise<void>;
}

/** Starts a bench server script (bench/support/servers.ts by default) in a child process and waits for READY. */
export function startServer(
  kind: 'gateway' | 'baseline' | 'floor',
  databaseUrl: string,
  script = 'servers.ts',
): Promise<ServerHandle> {
  // BENCH_CPU_PROF_DIR: each server process writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, '-r', '@swc-node/register', join(__dirname, script), kind, databaseUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      // As deployed: graphql-js and others read NODE_ENV at load time.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (chunk) => {
      buf += chunk;
      const m = /READY (\d+)(.*)/.exec(buf);
      if (m) {
        resolve({
          port: Number(m[1]),
          pid: child.pid!,
          extra: m[2].trim().split(/\s+/).filter(Boolean),
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** autocannon with a body generated per request (distinct business ids). */
export async function load(opts: {
  url: string;
  headers: Record<string, string>;
  body: (n: number) => string;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    headers: { 'content-type': 'application/json', ...opts.headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: opts.body(n++) }) }],
  });
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

export function row(name: string, r: LoadResult): string {
  return (
    `${name.padEnd(28)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   ` +
    `p99 ${String(r.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`
  );
}
