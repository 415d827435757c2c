import { createSourceEventStream, execute, ExecutionArgs, ExecutionResult } from 'graphql';
// What graphql-js's own `subscribe` maps events with (unsubscribing reaches the source at once).
import { mapAsyncIterator } from 'graphql/execution/mapAsyncIterator';
import { SUBSCRIBER_BUFFER } from './hub-events';

type Result = ExecutionResult | Promise<ExecutionResult>;
type Stream = AsyncGenerator<ExecutionResult, void, void>;

/**
 * graphql-js's `subscribe`, except that identical subscriptions share one source and one execution
 * per event. `groupOf` names the group of a subscription's arguments; it must identify everything
 * the subscription's events and results depend on (operation, variables and caller), since the
 * group's source is opened with its first subscriber's arguments. 1,000 subscribers of one client
 * and query then cost one pubsub subscription and one execution per event, and each subscriber only
 * a queue: no repeater, event listener and mapped iterator per subscriber, which were most of the
 * fan-out (bench:subscriptions). A subscriber receives the events its group's source yields while
 * it is a member; once its queue holds SUBSCRIBER_BUFFER results the oldest are dropped (as the
 * pubsub's sliding buffer does). Subscriptions without a group are executed one by one, exactly as
 * graphql-js does.
 */
export function groupedSubscribe(groupOf: (args: ExecutionArgs) => string | undefined) {
  const groups = new Map<string, Promise<Group | ExecutionResult>>();

  return async (args: ExecutionArgs): Promise<Stream | ExecutionResult> => {
    const key = groupOf(args);
    if (key === undefined) {
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream as ExecutionResult; // refused while subscribing
      return mapAsyncIterator(stream, (event: unknown) => execute({ ...args, rootValue: event })) as Stream;
    }
    let opening = groups.get(key);
    if (!opening) {
      const forget = () => {
        if (groups.get(key) === opening) groups.delete(key);
      };
      opening = Group.open(args, forget);
      groups.set(key, opening);
      // A refusal or a failure to subscribe is not kept: the next subscriber asks again.
      opening.then((g) => g instanceof Group || forget(), forget);
    }
    const group = await opening;
    return group instanceof Group ? group.join() : group;
  };
}

/** One source for the subscribers of a group; each event is executed once and queued for every member. */
class Group {
  private readonly members = new Set<Member>();
  private ended = false;

  private constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly onEnd: () => void,
  ) {}

  static async open(args: ExecutionArgs, onEnd: () => void): Promise<Group | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream as ExecutionResult;
    const group = new Group(stream[Symbol.asyncIterator](), args, onEnd);
    void group.pump();
    return group;
  }

  join(): Stream {
    const member = new Member(() => this.leave(member));
    if (this.ended) member.end();
    else this.members.add(member);
    return member.stream();
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0 && !this.ended) {
      this.end();
      void this.source.return?.();
    }
  }

  private end(): void {
    this.ended = true;
    this.onEnd();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.source.next();
        if (next.done || this.ended) break;
        const result = execute({ ...this.args, rootValue: next.value });
        for (const member of this.members) member.push(result);
      }
      if (!this.ended) this.end();
      for (const member of this.members) member.end();
    } catch (err) {
      if (!this.ended) this.end();
      for (const member of this.members) member.fail(err);
    }
  }
}

/** A subscriber's queue of results, read by graphql-ws as an async generator. */
class Member {
  private readonly queue: Result[] = [];
  private waiting:
    { resolve: (r: IteratorResult<ExecutionResult, void>) => void; reject: (err: unknown) => void } | undefined;
  private finished = false;
  private failure: { err: unknown } | undefined;

  constructor(private readonly onLeave: () => void) {}

  push(result: Result): void {
    if (this.finished) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      if (isPromise(result)) result.then((value) => waiting.resolve({ value, done: false }), waiting.reject);
      else waiting.resolve({ value: result, done: false });
      return;
    }
    if (this.queue.length >= SUBSCRIBER_BUFFER) this.queue.shift();
    this.queue.push(result);
  }

  /** The source ended: what is queued is still delivered, then the stream completes. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = undefined;
  }

  /** The source failed: the stream throws once what is queued has been delivered. */
  fail(err: unknown): void {
    if (this.finished) return;
    this.failure = { err };
    this.finished = true;
    this.waiting?.reject(err);
    this.waiting = undefined;
  }

  stream(): Stream {
    const next = async (): Promise<IteratorResult<ExecutionResult, void>> => {
      if (this.queue.length > 0) {
        const result = this.queue.shift()!;
        return { value: isPromise(result) ? await result : result, done: false };
      }
      if (this.finished) {
        if (this.failure) {
          const { err } = this.failure;
          this.failure = undefined;
          throw err;
        }
        return { value: undefined, done: true };
      }
      return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
    };
    const close = async (): Promise<IteratorResult<ExecutionResult, void>> => {
      this.queue.length = 0;
      this.failure = undefined;
      if (!this.finished) {
        this.end();
        this.onLeave();
      }
      return { value: undefined, done: true };
    };
    const stream: Stream = {
      next,
      return: close,
      throw: async (err: unknown) => {
        await close();
        throw err;
      },
      [Symbol.asyncIterator]: () => stream,
      [Symbol.asyncDispose]: async () => void (await close()),
    };
    return stream;
  }
}

function isPromise(value: Result): value is Promise<ExecutionResult> {
  return typeof (value as Promise<ExecutionResult>).then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
