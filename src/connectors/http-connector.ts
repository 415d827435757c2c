import { z } from 'zod';

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
