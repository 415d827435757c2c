import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { EAGER_ACK_MAX_BUFFERED, EagerAckWebSocket } from '../../src/subscriptions/eager-ack-websocket';

/**
 * EagerAckWebSocket over real sockets: a send is acknowledged at once while little is buffered, only
 * once written when a slow reader has let the buffer grow, and with ws's error once the socket closed.
 */
let wss: WebSocketServer;
let client: WebSocket;
let server: EagerAckWebSocket;
const received: string[] = [];

beforeEach(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: EagerAckWebSocket });
  await once(wss, 'listening');
  const connected = once(wss, 'connection');
  received.length = 0;
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  client.on('message', (m) => received.push(String(m)));
  [server] = (await connected) as [EagerAckWebSocket];
  if (client.readyState !== WebSocket.OPEN) await once(client, 'open');
});

afterEach(async () => {
  client.terminate();
  await new Promise((r) => wss.close(r));
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

test('the server side is an EagerAckWebSocket', () => {
  expect(server).toBeInstanceOf(EagerAckWebSocket);
});

test('with an empty buffer the callback is called before send returns, and the message arrives', async () => {
  let acknowledged = false;
  server.send('{"n":1}', (err) => {
    expect(err).toBeUndefined();
    acknowledged = true;
  });
  expect(acknowledged).toBe(true);
  server.send('{"n":2}', { binary: false }, () => undefined);
  await until(() => received.length === 2);
  expect(received).toEqual(['{"n":1}', '{"n":2}']);
});

test('a reader that does not read makes the next send wait until its bytes are written', async () => {
  const underlying = (client as unknown as { _socket: import('node:net').Socket })._socket;
  underlying.pause();
  const chunk = 'x'.repeat(256 * 1024);
  // Fill the kernel's buffers and then ws's: past the threshold, acknowledgements wait.
  let sent = 0;
  while (server.bufferedAmount <= EAGER_ACK_MAX_BUFFERED) {
    server.send(chunk);
    sent++;
    await new Promise((r) => setImmediate(r));
    expect(sent).toBeLessThan(2000);
  }
  let acknowledged = false;
  server.send('last', () => (acknowledged = true));
  expect(acknowledged).toBe(false);
  await new Promise((r) => setTimeout(r, 50));
  expect(acknowledged).toBe(false);

  underlying.resume();
  await until(() => acknowledged);
  await until(() => received.length === sent + 1);
  expect(received[sent]).toBe('last');
});

test('a send on a closed socket reports the error, as ws does', async () => {
  client.close();
  await once(server, 'close');
  const err = await new Promise<Error | undefined>((resolve) => server.send('late', resolve));
  expect(err).toBeInstanceOf(Error);
  expect(err!.message).toMatch(/not open/);
});
