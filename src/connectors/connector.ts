/**
 * The connector contract: how the hub reads a client's own systems (ERP database, HTTP API, export
 * files). Every connector streams: `extract` yields records one by one, never a whole table.
 */
export type SourceRecord = Record<string, unknown>;

/** A half-open time window [from, to) and the timezone the source keeps its local times in. */
export interface ExtractWindow {
  from: Date;
  to: Date;
  timezone: string;
}

export interface ConnectorDescription {
  kind: ConnectorKind;
  /** Where it reads, without credentials. */
  target: string;
  streams: string[];
}

export interface Connector {
  describe(): ConnectorDescription;
  /** Resolves when the source answers; rejects with the reason otherwise. */
  testConnection(): Promise<void>;
  /** The records of one stream (a table/query, an endpoint, a file) inside the window, in a stable order. */
  extract(stream: string, window: ExtractWindow): AsyncIterable<SourceRecord>;
  close(): Promise<void>;
}

export type ConnectorKind = 'postgres' | 'mysql' | 'http' | 'file';

/** Thrown for a stream the connector was not configured with. */
export class UnknownStreamError extends Error {
  constructor(kind: string, stream: string) {
    super(`the ${kind} connector has no stream "${stream}"`);
  }
}

export function streamSpec<T>(kind: string, streams: Record<string, T>, stream: string): T {
  const spec = streams[stream];
  if (!spec) throw new UnknownStreamError(kind, stream);
  return spec;
}

/** Credentials never leave the connector: user and password are dropped from a URL before display. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
