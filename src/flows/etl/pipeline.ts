import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { isTransientSourceError } from '../../connectors/connector-policy';
import type { Queryable } from '../../db/database';
import { isStoreUnavailable } from '../../errors/to-gateway-error';
import type { Transformed } from './canonical';
import { countsOf } from './documents';
import { Counts, DocumentOutcome, etlRepository, EtlRunRow } from './etl.repository';

export type EtlStage = 'extract' | 'transform' | 'validate' | 'load' | 'reconcile' | 'refresh';

/** One stream of a run: extract+transform from a checkpoint, the domain check, the load and the extras. */
export interface StreamStep<T> {
  /** Checkpoint key and the document kind recorded per document. */
  name: string;
  kind: string;
  /** Extract (skipping `position` committed source records) and transform, as one stream. */
  open(position: number): AsyncIterable<Transformed<T>>;
  validate(doc: T): string | null;
  load(q: Queryable, docs: Array<{ id: string; doc: T }>): Promise<DocumentOutcome[]>;
  extras?(q: Queryable): Promise<void>;
}

export interface PipelineOptions {
  chunkSize: number;
  /** One transaction per chunk (normal runs) — or savepoints inside one transaction (dry runs). */
  unitOfWork<R>(fn: (q: Queryable) => Promise<R>): Promise<R>;
  /** After each committed chunk and stage change; awaited (the CLI draws, tests may cancel). */
  onProgress?(run: EtlRunRow, stream: string): Promise<void> | void;
  /** Checked after each committed chunk: true stops the run there (RunInterrupted), to be resumed. */
  shouldStop?(): boolean;
  /** Backoff between the 3 retries of a stage (ms). */
  retryDelayMs?: number;
}

export class RunCancelled extends Error {
  constructor() {
    super('the run was cancelled');
  }
}

/** A shutdown stopped the run between two committed chunks; it resumes from its checkpoints. */
export class RunInterrupted extends Error {
  constructor() {
    super('the run was interrupted by a shutdown');
  }
}

const transient = (err: unknown) => isStoreUnavailable(err) || isTransientSourceError(err);

/** Each stage's unit of work is retried 3 times with exponential backoff on transient errors. */
function stageRetry(initialDelay: number) {
  return retry(handleWhen(transient), {
    maxAttempts: 3,
    backoff: new ExponentialBackoff({ initialDelay, maxDelay: initialDelay * 16 }),
  });
}

async function* skip<T>(items: AsyncIterable<Transformed<T>>, rows: number): AsyncIterable<Transformed<T>> {
  let skipped = 0;
  for await (const item of items) {
    if (skipped < rows) {
      skipped += item.rows;
      continue;
    }
    yield item;
  }
}

/** Lets the generic skip be used by `open` implementations. */
export const skipRows = skip;

/** A chunk read from the source: transformed and validated, ready to load. */
interface ReadChunk<T> {
  /** Documents, and the source records they used (the checkpoint counts records). */
  documents: number;
  rows: number;
  ended: boolean;
  rejected: DocumentOutcome[];
  valid: Array<{ id: string; doc: T }>;
}

/** Extract, transform and validate up to `size` documents (pure work, no writes). */
async function readChunk<T>(
  iterator: AsyncIterator<Transformed<T>>,
  step: StreamStep<T>,
  size: number,
): Promise<ReadChunk<T>> {
  const chunk: ReadChunk<T> = { documents: 0, rows: 0, ended: false, rejected: [], valid: [] };
  while (chunk.documents < size) {
    const next = await iterator.next();
    if (next.done) {
      chunk.ended = true;
      break;
    }
    const item = next.value;
    chunk.documents++;
    chunk.rows += item.rows;
    if ('error' in item) {
      chunk.rejected.push({ id: item.id, outcome: 'rejected', reason: `transform: ${item.error}` });
      continue;
    }
    const reason = step.validate(item.doc);
    if (reason) chunk.rejected.push({ id: item.id, outcome: 'rejected', reason });
    else chunk.valid.push({ id: item.id, doc: item.doc });
  }
  return chunk;
}

/**
 * Runs the streams of a run in order: each chunk is extracted, transformed, validated and loaded,
 * then committed together with its checkpoint and counts — so a crash or a cancel loses at most the
 * chunk in flight, and a resumed run starts after the last committed chunk, loading nothing twice.
 * The next chunk is read while the current one loads (the database works while this process parses);
 * a read-ahead chunk is never counted before it is committed.
 */
export async function runStreams(
  run: EtlRunRow,
  steps: Array<StreamStep<any>>,
  opts: PipelineOptions,
): Promise<EtlRunRow> {
  let current = run;
  const policy = stageRetry(opts.retryDelayMs ?? 200);
  for (const step of steps) {
    const cp = await opts.unitOfWork((q) => etlRepository.checkpoint(q, run.id, step.name));
    if (cp.done) continue;
    let position = cp.position;
    // Extraction restarts from the last committed position when the source fails mid-stream.
    await policy.execute(async () => {
      const iterator = step.open(position)[Symbol.asyncIterator]();
      let ahead: Promise<ReadChunk<unknown>> | null = readChunk(iterator, step, opts.chunkSize);
      try {
        for (;;) {
          const chunk: ReadChunk<unknown> = await ahead!;
          ahead = chunk.ended ? null : readChunk(iterator, step, opts.chunkSize);
          ahead?.catch(() => undefined); // awaited on the next turn, or settled in `finally`
          current = await commitChunk(current, step, chunk, opts, policy);
          position += chunk.rows;
          await opts.onProgress?.(current, step.name);
          if (chunk.ended) return;
          if (opts.shouldStop?.()) throw new RunInterrupted();
        }
      } finally {
        // A read-ahead still in flight is dropped (not committed, so read again on resume).
        await ahead?.catch(() => undefined);
        await iterator.return?.().catch(() => undefined);
      }
    });
  }
  return current;
}

async function commitChunk(
  run: EtlRunRow,
  step: StreamStep<unknown>,
  chunk: ReadChunk<unknown>,
  opts: PipelineOptions,
  policy: ReturnType<typeof stageRetry>,
): Promise<EtlRunRow> {
  return policy.execute(() =>
    opts.unitOfWork(async (q) => {
      if ((await etlRepository.lockStatus(q, run.id)) !== 'running') throw new RunCancelled();
      const loaded = await step.load(q, chunk.valid);
      const outcomes = [...chunk.rejected, ...loaded];
      await etlRepository.recordDocuments(q, run.id, run.clientId, step.kind, outcomes);
      if (chunk.ended) await step.extras?.(q);
      await etlRepository.advance(q, run.id, step.name, chunk.rows, chunk.ended);
      const counts: Counts = { extracted: chunk.documents, ...countsOf(outcomes) };
      return etlRepository.progress(q, run.id, chunk.ended ? 'reconcile' : 'load', counts);
    }),
  );
}
