import type { ConnectorPolicy } from '../resilience/policy-registry';
import { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { Connector, ConnectorDescription, ExtractWindow, redactUrl, SourceRecord, streamSpec } from './connector';
import { WindowBinding, windowParams } from './sql-window';

export interface SqlStreamSpec {
  /** A query with the window as its two parameters ($1, $2 for Postgres; ?, ? for MySQL), ordered stably. */
  sql: string;
  window?: WindowBinding;
}

export interface PostgresConnectorConfig {
  kind: 'postgres';
  url: string;
  streams: Record<string, SqlStreamSpec>;
  /** Rows fetched per round trip by the server-side cursor. */
  batchSize?: number;
}

/** A Postgres source read through a server-side cursor (pg-query-stream): constant memory. */
export class PostgresConnector implements Connector {
  private readonly pool: Pool;

  constructor(
    private readonly config: PostgresConnectorConfig,
    private readonly policy: ConnectorPolicy,
  ) {
    this.pool = new Pool({ connectionString: config.url, max: 2, application_name: 'axon-etl' });
    this.pool.on('error', () => undefined);
  }

  describe(): ConnectorDescription {
    return { kind: 'postgres', target: redactUrl(this.config.url), streams: Object.keys(this.config.streams) };
  }

  async testConnection(): Promise<void> {
    await this.policy.execute(() => this.pool.query('select 1'));
  }

  async *extract(stream: string, window: ExtractWindow): AsyncIterable<SourceRecord> {
    const spec = streamSpec('postgres', this.config.streams, stream);
    const client = await this.policy.execute(() => this.pool.connect());
    try {
      const rows = client.query(
        new QueryStream(spec.sql, windowParams(window, spec.window ?? 'utc'), {
          batchSize: this.config.batchSize ?? 1000,
        }),
      );
      for await (const row of rows) yield row as SourceRecord;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
