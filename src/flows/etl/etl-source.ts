import type { SourceRecord } from '../../connectors/connector';
import type { ConnectorConfig } from '../../connectors/registry';
import type { CanonicalDocuments, DocumentKindName, Transformed } from './canonical';

/** How one kind of document is read from the client's source: its stream and its field mapping. */
export interface SourceMapping<K extends DocumentKindName> {
  stream: string;
  /** ERP records → canonical documents, in order (records of one document are consecutive). */
  transform(records: AsyncIterable<SourceRecord>, timezone: string): AsyncIterable<Transformed<CanonicalDocuments[K]>>;
}

/** A client's ETL: its source (built from the location in ETL_SOURCES) and per-document mappings. */
export interface ClientEtl {
  source(location: string): ConnectorConfig;
  mappings: { [K in DocumentKindName]?: SourceMapping<K> };
  /** Local time of the scheduled daily batch (default 02:00), for the day before. */
  dailyBatchAt?: string;
}

/** Groups consecutive records sharing a key (a document's header and its lines). */
export async function* groupConsecutive(
  records: AsyncIterable<SourceRecord>,
  key: (r: SourceRecord) => string,
): AsyncIterable<SourceRecord[]> {
  let group: SourceRecord[] = [];
  for await (const r of records) {
    if (group.length > 0 && key(r) !== key(group[0])) {
      yield group;
      group = [];
    }
    group.push(r);
  }
  if (group.length > 0) yield group;
}
