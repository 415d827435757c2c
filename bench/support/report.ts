/**
 * Every bench prints one machine-readable line that `npm run bench` collects into bench/REPORT.md:
 *   BENCH_RESULT {"name": …, "figure": …, "baseline": …, "ratio": …, "target": …, "pass": …}
 * `ratio` is always "higher is better" relative to the target's direction (see `better`).
 */
export interface BenchResult {
  name: string;
  /** What was measured, human-readable: "1234 req/s, p99 12 ms". */
  figure: string;
  /** The baseline from the same run, human-readable. */
  baseline: string;
  ratio: number;
  /** e.g. "≥ 0.60×" or "≤ 1.20×" */
  target: string;
  pass: boolean;
  details?: Record<string, unknown>;
}

export function emitResult(r: BenchResult): void {
  console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
}
