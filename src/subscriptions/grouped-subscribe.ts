import { createSourceEventStream, execute, ExecutionArgs, ExecutionResult } from 'graphql';
// What graphql-js's own `subscribe` maps events with (unsubscribing reaches the source at once).
import { mapAsyncIterator } from 'graphql/execution/mapAsyncIterator';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-js's `subscribe`, except that each event is executed once per group of identical
 * subscriptions rather than once per subscriber. `groupOf` names the group of a subscription's
 * arguments (same operation, variables and caller see the same result); events are matched by
 * identity: the bus hands every subscriber the same payload object, so 1,000 subscribers of one
 * client and query cost one execution per event, not 1,000. Subscriptions without a group (or
 * events that are not objects) are executed one by one, exactly as graphql-js does.
 */
export function groupedSubscribe(groupOf: (args: ExecutionArgs) => string | undefined) {
  const results = new WeakMap<object, Map<string, Result>>();

  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream as ExecutionResult; // refused while subscribing
    const group = groupOf(args);
    const run = (event: unknown): Result => execute({ ...args, rootValue: event });
    const once = (event: unknown): Result => {
      if (group === undefined || typeof event !== 'object' || event === null) return run(event);
      let byGroup = results.get(event);
      if (!byGroup) results.set(event, (byGroup = new Map()));
      let result = byGroup.get(group);
      if (!result) byGroup.set(group, (result = run(event)));
      return result;
    };
    return mapAsyncIterator(stream, once);
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
