import { CircuitState, IBreaker } from 'cockatiel';

/**
 * Opens after `threshold` failures within the last `windowMs` (successes do not wipe earlier
 * failures: five errors in two minutes open it even with successes in between).
 */
export class WindowBreaker implements IBreaker {
  private failures: number[] = [];

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  get state(): unknown {
    return { failures: this.failures };
  }

  set state(value: unknown) {
    this.failures = [...((value as { failures?: number[] } | undefined)?.failures ?? [])];
  }

  success(state: CircuitState): void {
    if (state === CircuitState.HalfOpen) this.failures = [];
  }

  failure(state: CircuitState): boolean {
    const now = Date.now();
    if (state === CircuitState.HalfOpen) return true;
    this.failures = this.failures.filter((t) => now - t < this.windowMs);
    this.failures.push(now);
    return this.failures.length >= this.threshold;
  }
}
