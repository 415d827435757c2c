import type { ConnectorPolicy } from '../resilience/policy-registry';
import { createPool, Pool, PoolConnection } from 'mysql2';
import { Connector, ConnectorDescription, ExtractWindow, redactUrl, SourceRecord, streamSpec } from './connector';
import type { SqlStreamSpec } from './postgres.connector';
import { windowParams } from './sql-window';

export interface MysqlConnectorConfig {
  kind: 'mysql';
  url: string;
  streams: Record<string, SqlStreamSpec>;
}

/**
 * A MySQL/MariaDB source (mysql2). Rows are streamed as the server sends them; DATETIMEs come back
 * as strings so local ERP times are interpreted in the client's timezone, not the process's.
 */
export class MysqlConnector implements Connector {
  private readonly pool: Pool;

  constructor(
    private readonly config: MysqlConnectorConfig,
    private readonly policy: ConnectorPolicy,
  ) {
    this.pool = createPool({
      uri: config.url,
      connectionLimit: 2,
      dateStrings: true,
      decimalNumbers: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  }

  describe(): ConnectorDescription {
    return { kind: 'mysql', target: redactUrl(this.config.url), streams: Object.keys(this.config.streams) };
  }

  async testConnection(): Promise<void> {
    await this.policy.execute(() => this.pool.promise().query('select 1'));
  }

  async *extract(stream: string, window: ExtractWindow): AsyncIterable<SourceRecord> {
    const spec = streamSpec('mysql', this.config.streams, stream);
    const conn = await this.policy.execute(
      () =>
        new Promise<PoolConnection>((resolve, reject) =>
          this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
        ),
    );
    try {
      const rows = conn
        .query({ sql: spec.sql, values: windowParams(window, spec.window ?? 'local') })
        .stream({ highWaterMark: 500 });
      for await (const row of rows) yield row as SourceRecord;
    } finally {
      conn.release();
    }
  }

  close(): Promise<void> {
    return this.pool.promise().end();
  }
}
