import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on Linux. */
const TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc; null where /proc is not readable. */
function cpuSecondsOfPid(pid: number | string): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null;
  }
}

/**
 * CPU used by a server process and by the local PostgreSQL (all its processes) from the meter's
 * creation to `perRequest`: where a request's time goes. PostgreSQL's share is null when its processes are not
 * visible (a remote or containerised server).
 */
export function cpuMeter(serverPid: number) {
  const postgres = () => {
    let total = 0;
    let seen = false;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      const p = cpuSecondsOfPid(pid);
      if (p?.comm.startsWith('postgres')) {
        total += p.seconds;
        seen = true;
      }
    }
    return seen ? total : null;
  };
  const server = () => cpuSecondsOfPid(serverPid)?.seconds ?? null;
  const before = { server: server(), postgres: postgres() };
  return {
    /** Milliseconds of CPU per request over `requests` requests. */
    perRequest(requests: number): { serverMs: number | null; postgresMs: number | null } {
      const after = { server: server(), postgres: postgres() };
      const per = (a: number | null, b: number | null) =>
        a === null || b === null || requests === 0 ? null : Number((((a - b) * 1000) / requests).toFixed(3));
      return { serverMs: per(after.server, before.server), postgresMs: per(after.postgres, before.postgres) };
    },
  };
}
