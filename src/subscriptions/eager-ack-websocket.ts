import WebSocket from 'ws';

/**
 * Above this many bytes waiting in a socket's buffer (past what the kernel took), a send is
 * acknowledged only once they are written. It bounds what a slow subscriber can hold in memory
 * beyond its queue (grouped-subscribe.ts): 16 KiB, some 80 live events.
 */
export const EAGER_ACK_MAX_BUFFERED = 16 * 1024;

type SendCallback = (err?: Error) => void;
type SendOptions = Parameters<WebSocket['send']>[1] & object;

/**
 * ws's WebSocket, except that a send is acknowledged (its callback called) as soon as the frame is
 * handed to the socket, while the socket holds less than EAGER_ACK_MAX_BUFFERED bytes.
 *
 * graphql-ws waits for that callback before it sends a subscriber its next result. ws calls it once
 * the kernel has taken the bytes, a tick later, and a distinct callback per write costs Node a
 * deferred call each: with 1,000 subscribers of one event that was about a fifth of the fan-out
 * (bench:subscriptions). A subscriber that reads slowly still makes its sends wait, once its buffer
 * is past the threshold, so it falls behind into its own bounded queue (grouped-subscribe.ts)
 * instead of growing the socket's buffer.
 */
export class EagerAckWebSocket extends WebSocket {
  override send(data: unknown, optionsOrCallback?: SendOptions | SendCallback, callback?: SendCallback): void {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const cb = typeof optionsOrCallback === 'function' ? (optionsOrCallback as SendCallback) : callback;
    if (!cb || this.readyState !== WebSocket.OPEN || this.bufferedAmount > EAGER_ACK_MAX_BUFFERED) {
      return super.send(data as string, options ?? {}, cb);
    }
    super.send(data as string, options ?? {});
    cb();
  }
}
