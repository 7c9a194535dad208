import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';

const SHA = 'a'.repeat(40);

/** Counts the connections a client holds open to a loopback server. */
interface Tracked {
  readonly url: string;
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

function track(server: net.Server): Set<Socket> {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return open;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, open: Set<Socket>): () => Promise<void> {
  return () => {
    for (const socket of open) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

/** An EventListener that accepts everything and keeps idle connections for a minute. */
async function eventListener(): Promise<Tracked & { readonly received: () => number }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      received += 1;
      res.writeHead(202).end('accepted');
    });
  });
  server.keepAliveTimeout = 60_000;
  const open = track(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    open,
    received: () => received,
    close: closer(server, open),
  };
}

/** A TCP pass-through in front of `port`, to see the connections the daemon keeps to it. */
async function proxyTo(port: number): Promise<Tracked> {
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const open = track(server);
  const own = await listen(server);
  return { url: `http://127.0.0.1:${own}`, open, close: closer(server, open) };
}

describe("the daemon's HTTP connections", () => {
  let github: FakeGithub;
  let api: Tracked;
  let listener: Awaited<ReturnType<typeof eventListener>>;
  let dataDir: string;
  let daemon: TestDaemon | undefined;

  beforeEach(async () => {
    github = await createFakeGithub();
    github.setRepo('org/app', new Map([['refs/heads/main', SHA]]));
    api = await proxyTo(Number(new URL(github.url).port));
    listener = await eventListener();
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-transport-'));
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([listener.close(), api.close(), github.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('are kept alive while it runs and closed when it stops, not an idle timeout later', async () => {
    daemon = await startTestDaemon({
      app: { data_dir: dataDir },
      polling: { interval: '1m', jitter: 0, trigger_on_first_seen: true },
      tekton: { event_listener_url: listener.url, secret: 'transport-secret' },
      repositories: [
        {
          name: 'app',
          url: 'http://127.0.0.1:1/org/app.git',
          provider: 'github',
          api_base_url: api.url,
          branch_regex: '.*',
        },
      ],
    });
    await waitFor(() => listener.received() >= 1, 10_000, 'a delivery');
    await waitFor(
      async () => (await daemon?.daemon.storage.deliveries.countByStatus())?.delivered === 1,
      5_000,
      'the delivery recorded',
    );
    // Both connections stay open between requests (keep-alive)...
    expect(api.open.size).toBeGreaterThanOrEqual(1);
    expect(listener.open.size).toBe(1);

    await daemon.stop();
    daemon = undefined;
    // ...and the daemon closes them itself at stop (idle sockets would live 5 s more).
    await waitFor(() => listener.open.size === 0, 1_000, 'the EventListener connection closed');
    await waitFor(() => api.open.size === 0, 1_000, 'the GitHub API connection closed');
  });
});
