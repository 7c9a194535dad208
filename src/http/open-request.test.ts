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
  response.resume();
  await new Promise((resolve) => response.once('end', resolve));
  return response.statusCode ?? 0;
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
