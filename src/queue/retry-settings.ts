/** How a client's queued events are retried: exponential backoff with jitter, then the dead-letter queue. */
export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 10, initialDelaySeconds: 2, maxDelaySeconds: 300 };

export function retrySettings(overrides: Partial<RetrySettings> | undefined): RetrySettings {
  return { ...DEFAULT_RETRY, ...overrides };
}
