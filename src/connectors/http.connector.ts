import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ConnectorPolicy } from '../resilience/policy-registry';
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

// Typed queries (templates/client): request/response calls whose answers a zod schema checks.

/**
 * Outbound calls to a client's ERP over HTTP (the pull side: stock levels, price lists, batches).
 * A connector names its queries; each query says how to call and the zod shape of the answer, so
 * whatever the ERP returns is checked before the hub uses it.
 */
export interface ConnectorQuery<P, S extends z.ZodType> {
  method: 'GET' | 'POST';
  path(params: P): string;
  body?(params: P): unknown;
  response: S;
}

export function defineQuery<P, S extends z.ZodType>(query: ConnectorQuery<P, S>): ConnectorQuery<P, S> {
  return query;
}

export interface ConnectorDefinition<Q extends Record<string, ConnectorQuery<any, z.ZodType>>> {
  /** Used in logs, health and breakers as `connector:<name>`. */
  name: string;
  queries: Q;
}

export function defineConnector<Q extends Record<string, ConnectorQuery<any, z.ZodType>>>(
  def: ConnectorDefinition<Q>,
): ConnectorDefinition<Q> {
  return def;
}

export interface ConnectorSettings {
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class ConnectorError extends Error {
  constructor(
    readonly connector: string,
    readonly query: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${connector}.${query}: ${message}`);
    this.name = 'ConnectorError';
  }
}

type ParamsOf<Q> = Q extends ConnectorQuery<infer P, z.ZodType> ? P : never;
type ResultOf<Q> = Q extends ConnectorQuery<any, infer S> ? z.output<S> : never;
export type Connected<Q> = { [K in keyof Q]: (params: ParamsOf<Q[K]>) => Promise<ResultOf<Q[K]>> };

/** The connector's queries as typed functions against one ERP endpoint. */
export function connect<Q extends Record<string, ConnectorQuery<any, z.ZodType>>>(
  def: ConnectorDefinition<Q>,
  settings: ConnectorSettings,
): Connected<Q> {
  const call = async (name: string, query: ConnectorQuery<unknown, z.ZodType>, params: unknown) => {
    const doFetch = settings.fetch ?? globalThis.fetch;
    const body = query.body?.(params);
    let res: Response;
    try {
      res = await doFetch(new URL(query.path(params), settings.baseUrl), {
        method: query.method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...settings.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ConnectorError(def.name, name, `unreachable (${(err as Error).name})`);
    }
    if (!res.ok) throw new ConnectorError(def.name, name, `HTTP ${res.status}`, res.status);
    const parsed = query.response.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success)
      throw new ConnectorError(
        def.name,
        name,
        `unexpected response: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        res.status,
      );
    return parsed.data;
  };
  return Object.fromEntries(
    Object.entries(def.queries).map(([name, q]) => [name, (params: unknown) => call(name, q, params)]),
  ) as Connected<Q>;
}
