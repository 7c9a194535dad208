import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { useLoopbackServers } from '../../test/helpers/loopback-servers.js';
import { RequestOpener } from './open-request.js';

interface Server {
  readonly url: URL;
  /** Connections the client holds open right now. */
  readonly open: Set<Socket>;
  /** Connections ever opened. */
  connections(): number;
}

const servers = useLoopbackServers();
const openers: RequestOpener[] = [];

/** A loopback server that answers 200 and keeps idle connections for a minute. */
async function serve(): Promise<Server> {
  const open = new Set<Socket>();
  let connections = 0;
  const server = http.createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  const url = await servers.listen(server);
  return { url, open, connections: () => connections };
}

function opener(): RequestOpener {
  const created = new RequestOpener();
  openers.push(created);
  return created;
}

async function get(from: RequestOpener, url: URL): Promise<number> {
  const response = await from.open(url, { method: 'GET', headers: {} });
  response.body.resume();
  await new Promise((resolve) => response.body.once('end', resolve));
  return response.status;
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

afterEach(() => {
  for (const created of openers.splice(0)) created.close();
});

describe('RequestOpener', () => {
  it('sends one request after another on one kept-alive connection', async () => {
    const server = await serve();
    const transport = opener();
    for (let i = 0; i < 3; i += 1) expect(await get(transport, server.url)).toBe(200);
    expect(server.connections()).toBe(1);
    expect(server.open.size).toBe(1);
  });

  it('closes its connections at once when closed, and refuses requests after that', async () => {
    const server = await serve();
    const transport = opener();
    await get(transport, server.url);
    transport.close();
    // Idle sockets would otherwise stay open for the 5 s idle timeout.
    expect(await until(() => server.open.size === 0, 1_000)).toBe(true);
    const refused = await transport.open(server.url, { method: 'GET', headers: {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused).toMatchObject({ message: 'fetch failed' });
    expect(String((refused as TypeError).cause)).toContain('connections closed');
    expect(server.connections()).toBe(1);
  });

  it.each([
    ['closes', (socket: Socket) => socket.destroy()],
    ['resets', (socket: Socket) => socket.resetAndDestroy()],
  ])(
    'sends a POST once more on a fresh connection when the server %s a kept-alive one under it',
    async (_what, drop) => {
      const seen: { body: string; connection: number }[] = [];
      const numbers = new WeakMap<Socket, number>();
      let connections = 0;
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (!numbers.has(req.socket)) numbers.set(req.socket, (connections += 1));
          seen.push({
            body: Buffer.concat(chunks).toString(),
            connection: numbers.get(req.socket)!,
          });
          // The second request comes on the kept-alive connection: drop it unanswered.
          if (seen.length === 2) drop(req.socket);
          else res.end(`answer ${seen.length}`);
        });
      });
      server.keepAliveTimeout = 60_000;
      const url = await servers.listen(server);
      const transport = opener();
      const post = async (body: string): Promise<string> => {
        const response = await transport.open(url, { method: 'POST', headers: {}, body });
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString();
      };
      expect(await post('first')).toBe('answer 1');
      expect(await post('second')).toBe('answer 3');
      expect(seen).toEqual([
        { body: 'first', connection: 1 },
        { body: 'second', connection: 1 },
        { body: 'second', connection: 2 },
      ]);
    },
  );

  it('does not send a request again when a new connection is closed before any answer', async () => {
    let requests = 0;
    const server = http.createServer((req) => {
      requests += 1;
      req.socket.destroy();
    });
    const url = await servers.listen(server);
    const failed = await opener()
      .open(url, { method: 'POST', headers: {}, body: 'once' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failed).toBeInstanceOf(TypeError);
    expect(failed).toMatchObject({ message: 'fetch failed' });
    expect(requests).toBe(1);
  });

  it('rejects a header value with a line break before sending anything, without a cause', async () => {
    const server = await serve();
    const refused = await opener()
      .open(server.url, { method: 'GET', headers: { 'x-team': 'a\r\nx-injected: b' } })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).cause).toBeUndefined();
    expect((refused as TypeError).message).not.toContain('x-injected');
    expect(server.connections()).toBe(0);
  });

  it('destroys a body still arriving with the reason of an abort', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const url = await servers.listen(server);
    const controller = new AbortController();
    const response = await opener().open(url, {
      method: 'GET',
      headers: {},
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.complete).toBe(false);
    const failed = new Promise((resolve) => response.body.once('error', resolve));
    response.body.resume();
    controller.abort(new Error('poll timed out'));
    expect(await failed).toMatchObject({ message: 'poll timed out' });
  });

  it('owns its connections: closing one opener leaves another one open', async () => {
    const server = await serve();
    const first = opener();
    const second = opener();
    await get(first, server.url);
    await get(second, server.url);
    expect(server.open.size).toBe(2);
    first.close();
    expect(await until(() => server.open.size === 1, 1_000)).toBe(true);
    expect(await get(second, server.url)).toBe(200);
    expect(server.connections()).toBe(2);
  });
});
