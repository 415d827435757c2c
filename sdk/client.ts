import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { Client as WsClient, createClient as createWsClient } from 'graphql-ws';

/**
 * The hub's typed client for the Next.js app (server actions, route handlers, scripts). It touches
 * no browser-only API at import time: fetch is looked up per request and the WebSocket for
 * subscriptions opens only on the first `subscribe`.
 */
export interface HubClientOptions {
  /** The hub's GraphQL endpoint, e.g. `https://hub.example.com/graphql`. */
  url: string;
  /** A JWT: sent as `authorization: Bearer <token>` (and in graphql-ws connectionParams). */
  token?: string;
  /** An API key: sent as `x-api-key` (and in graphql-ws connectionParams). */
  apiKey?: string;
  /** graphql-ws endpoint; defaults to `url` with ws(s)://. */
  wsUrl?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** WebSocket implementation where there is no global one (Node < 22: the `ws` package). */
  webSocketImpl?: unknown;
}

export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

export interface HubError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** The hub refused or failed the operation; `code` is the first error's `GW_…` code. */
export class HubClientError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly errors: HubError[],
    readonly status: number,
    readonly data: unknown = null,
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.name = 'HubClientError';
    this.code = errors[0]?.extensions?.code;
  }
}

type Variables<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

export interface HubClient {
  request<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    ...variables: Variables<TVariables>
  ): Promise<TResult>;
  /** Live results of a subscription operation; `for await` over it, `return()` to stop. */
  subscribe<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    ...variables: Variables<TVariables>
  ): AsyncIterableIterator<TResult>;
  dispose(): Promise<void>;
}

export function credentialHeaders(opts: Pick<HubClientOptions, 'token' | 'apiKey'>): Record<string, string> {
  return {
    ...(opts.token && { authorization: `Bearer ${opts.token}` }),
    ...(opts.apiKey && { 'x-api-key': opts.apiKey }),
  };
}

export function createHubClient(opts: HubClientOptions): HubClient {
  let ws: WsClient | undefined;
  const wsClient = () =>
    (ws ??= createWsClient({
      url: opts.wsUrl ?? opts.url.replace(/^http/, 'ws'),
      connectionParams: credentialHeaders(opts),
      ...(opts.webSocketImpl !== undefined && { webSocketImpl: opts.webSocketImpl }),
    }));

  return {
    async request(document, ...[variables]) {
      const doFetch = opts.fetch ?? globalThis.fetch;
      const res = await doFetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...opts.headers,
          ...credentialHeaders(opts),
        },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
      const body = (await res.json().catch(() => null)) as { data?: unknown; errors?: HubError[] } | null;
      if (!body) throw new HubClientError([{ message: `HTTP ${res.status}: the response is not JSON` }], res.status);
      if (body.errors?.length || !res.ok) throw new HubClientError(body.errors ?? [], res.status, body.data ?? null);
      return body.data as never;
    },
    subscribe(document, ...[variables]) {
      const results = wsClient().iterate({
        query: document.toString(),
        variables: variables as Record<string, unknown> | undefined,
      });
      // Each event's `data`, typed like a request's; an event with errors ends the iteration with a HubClientError.
      return (async function* () {
        for await (const result of results) {
          if (result.errors?.length)
            throw new HubClientError(result.errors as never, 0, (result.data ?? null) as never);
          yield result.data as never;
        }
      })();
    },
    async dispose() {
      await ws?.dispose();
    },
  };
}
