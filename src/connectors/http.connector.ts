import type { ConnectorPolicy } from './connector-policy';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connector, ConnectorDescription, ExtractWindow, redactUrl, SourceRecord, streamSpec } from './connector';

export interface HttpStreamSpec {
  path: string;
  /** Field of the response body holding the page's records (default `items`). */
  itemsField?: string;
  /** Field holding the cursor of the next page; null/absent ends the stream (default `next_cursor`). */
  cursorField?: string;
}

export interface HttpConnectorConfig {
  kind: 'http';
  baseUrl: string;
  /** Sent with every request (auth: `authorization`, `x-api-key`, …). */
  headers?: Record<string, string>;
  pageSize?: number;
  streams: Record<string, HttpStreamSpec>;
  /** 429 answers honoured (waiting Retry-After) before giving up on a page. */
  maxRateLimitWaits?: number;
  /** Upper bound on one Retry-After wait. */
  maxRetryAfterMs?: number;
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * A paginated JSON API: GET <path>?from&to&limit[&cursor] until the cursor runs out. Rate limits
 * (429) wait as long as the server's Retry-After asks; network errors and 5xx go through the policy.
 */
export class HttpConnector implements Connector {
  constructor(
    private readonly config: HttpConnectorConfig,
    private readonly policy: ConnectorPolicy,
  ) {}

  describe(): ConnectorDescription {
    return { kind: 'http', target: redactUrl(this.config.baseUrl), streams: Object.keys(this.config.streams) };
  }

  async testConnection(): Promise<void> {
    await this.policy.execute(async () => {
      const res = await fetch(this.config.baseUrl, { method: 'HEAD', headers: this.config.headers });
      if (res.status >= 500) throw new HttpStatusError(res.status, this.config.baseUrl);
    });
  }

  async *extract(stream: string, window: ExtractWindow): AsyncIterable<SourceRecord> {
    const spec = streamSpec('http', this.config.streams, stream);
    let cursor: string | null = null;
    do {
      const url = new URL(spec.path, this.config.baseUrl);
      url.searchParams.set('from', window.from.toISOString());
      url.searchParams.set('to', window.to.toISOString());
      url.searchParams.set('limit', String(this.config.pageSize ?? 500));
      if (cursor) url.searchParams.set('cursor', cursor);
      const body = await this.page(url);
      const items = body[spec.itemsField ?? 'items'];
      if (!Array.isArray(items))
        throw new Error(`${url.pathname}: the response has no "${spec.itemsField ?? 'items'}" array`);
      for (const item of items) yield item as SourceRecord;
      const next = body[spec.cursorField ?? 'next_cursor'];
      cursor = typeof next === 'string' && next.length > 0 ? next : null;
    } while (cursor);
  }

  private async page(url: URL): Promise<Record<string, unknown>> {
    const maxWaits = this.config.maxRateLimitWaits ?? 5;
    for (let waits = 0; ; waits++) {
      // The body is read inside the policy: its timeout covers it, and its signal is aborted once it settles.
      const answer = await this.policy.execute(async ({ signal }) => {
        const r = await fetch(url, { headers: { accept: 'application/json', ...this.config.headers }, signal });
        if (r.status >= 500) throw new HttpStatusError(r.status, url.pathname);
        if (r.status === 429) {
          await r.body?.cancel();
          return { retryAfter: retryAfterMs(r.headers.get('retry-after')) ?? 1000 * 2 ** waits };
        }
        if (!r.ok) throw new HttpStatusError(r.status, url.pathname);
        return { body: (await r.json()) as Record<string, unknown> };
      });
      if ('body' in answer && answer.body) return answer.body;
      if (!('retryAfter' in answer) || answer.retryAfter === undefined)
        throw new Error(`${url.pathname}: empty answer`);
      if (waits >= maxWaits) throw new HttpStatusError(429, url.pathname);
      await sleep(Math.min(answer.retryAfter, this.config.maxRetryAfterMs ?? 60_000));
    }
  }

  async close(): Promise<void> {}
}
