import type { ConnectorPolicy } from '../resilience/policy-registry';
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Connector, ConnectorDescription, ExtractWindow, SourceRecord, streamSpec } from './connector';
import { fromLocalTime } from './sql-window';

export interface FileStreamSpec {
  file: string;
  format: 'csv' | 'jsonl';
  /** The record's time field; records outside the window are skipped. Absent: every record. */
  timeField?: string;
  /** CSV delimiter (default `,`). */
  delimiter?: string;
}

export interface FileConnectorConfig {
  kind: 'file';
  dir: string;
  streams: Record<string, FileStreamSpec>;
}

/** Legacy exports: CSV (csv-parse, header row) and JSON Lines, read as streams line by line. */
export class FileConnector implements Connector {
  constructor(
    private readonly config: FileConnectorConfig,
    private readonly policy: ConnectorPolicy,
  ) {}

  describe(): ConnectorDescription {
    return { kind: 'file', target: this.config.dir, streams: Object.keys(this.config.streams) };
  }

  async testConnection(): Promise<void> {
    await this.policy.execute(() => access(this.config.dir));
  }

  async *extract(stream: string, window: ExtractWindow): AsyncIterable<SourceRecord> {
    const spec = streamSpec('file', this.config.streams, stream);
    const path = join(this.config.dir, spec.file);
    await this.policy.execute(() => access(path));
    const records = spec.format === 'csv' ? this.csv(path, spec) : this.jsonl(path);
    for await (const record of records) {
      if (spec.timeField && !inWindow(record[spec.timeField], window)) continue;
      yield record;
    }
  }

  private csv(path: string, spec: FileStreamSpec): AsyncIterable<SourceRecord> {
    return createReadStream(path).pipe(
      parse({ columns: true, delimiter: spec.delimiter ?? ',', trim: true, skip_empty_lines: true }),
    );
  }

  private async *jsonl(path: string): AsyncIterable<SourceRecord> {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as SourceRecord;
      } catch {
        throw new Error(`${spec(path)} line ${n} is not JSON`);
      }
    }
  }

  async close(): Promise<void> {}
}

function spec(path: string): string {
  return path.split('/').pop() ?? path;
}

/** Times with an offset are absolute; without one they are local to the window's timezone. */
function inWindow(value: unknown, w: ExtractWindow): boolean {
  if (typeof value !== 'string' || value === '') return false;
  const at = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? new Date(value) : fromLocalTime(value, w.timezone);
  return at >= w.from && at < w.to;
}
