import http from 'node:http';

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useLoopbackServers } from '../../test/helpers/loopback-servers.js';
import { createGithubFetch } from './github-fetch.js';

interface Seen {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly socket: number;
}

const servers = useLoopbackServers();

/** A loopback server: records each request with the number of the connection it came on. */
async function serve(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void,
): Promise<{ base: string; seen: Seen[]; server: http.Server }> {
  const seen: Seen[] = [];
  const sockets = new WeakMap<object, number>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    let socket = sockets.get(req.socket);
    if (socket === undefined) {
      connections += 1;
      socket = connections;
      sockets.set(req.socket, socket);
    }
    seen.push({ url: req.url ?? '', headers: req.headers, socket });
    handle(req, res, seen);
  });
  server.keepAliveTimeout = 10_000;
  const url = await servers.listen(server);
  return { base: url.origin, seen, server };
}

describe('createGithubFetch', () => {
  it('answers a 304 with its headers and no body, on one kept-alive connection', async () => {
    const { base, seen } = await serve((_req, res) => {
      res.writeHead(304, { etag: 'W/"abc"', 'x-ratelimit-remaining': '4999' });
      res.end();
    });
    const fetch = createGithubFetch();
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${base}/repos/o/r/branches?page=1`, {
        headers: { 'if-none-match': 'W/"abc"', Authorization: 'token t' },
      });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe('W/"abc"');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('4999');
      expect(response.url).toBe(`${base}/repos/o/r/branches?page=1`);
      expect(await response.text()).toBe('');
    }
    expect(seen.map((s) => s.socket)).toEqual([1, 1, 1]);
    expect(seen[0]?.headers['if-none-match']).toBe('W/"abc"');
    expect(seen[0]?.headers.authorization).toBe('token t');
  });

  it('decodes a gzip body and hands it over without content-encoding, as fetch does', async () => {
    const { base, seen } = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('Link', [
        '<https://x/b?page=2>; rel="next"',
        '<https://x/b?page=3>; rel="last"',
      ]);
      res.end(gzipSync(JSON.stringify([{ name: 'main', commit: { sha: 'a'.repeat(40) } }])));
    });
    const response = await createGithubFetch()(`${base}/b`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('link')).toBe(
      '<https://x/b?page=2>; rel="next", <https://x/b?page=3>; rel="last"',
    );
    expect(new Map(response.headers).get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual([{ name: 'main', commit: { sha: 'a'.repeat(40) } }]);
    expect(seen[0]?.headers['accept-encoding']).toContain('gzip');
  });

  it('follows redirects, dropping Authorization only when the origin changes', async () => {
    const other = await serve((_req, res) => res.end('elsewhere'));
    const { base, seen } = await serve((req, res) => {
      if (req.url === '/renamed') res.writeHead(301, { location: '/repositories/7' }).end();
      else if (req.url === '/repositories/7') res.writeHead(302, { location: `${other.base}/x` });
      res.end();
    });
    const response = await createGithubFetch()(`${base}/renamed`, {
      headers: { authorization: 'token secret' },
    });
    expect(await response.text()).toBe('elsewhere');
    expect(response.url).toBe(`${other.base}/x`);
    expect(seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ['/renamed', 'token secret'],
      ['/repositories/7', 'token secret'],
    ]);
    expect(other.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('rejects with the signal reason when aborted in flight', async () => {
    const { base } = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const pending = createGithubFetch()(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('poll timed out')), 20);
    await expect(pending).rejects.toThrow('poll timed out');
    const aborted = AbortSignal.abort();
    await expect(createGithubFetch()(`${base}/slow`, { signal: aborted })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('fails like fetch when nothing listens: TypeError with the socket error as cause', async () => {
    const { base, server } = await serve((_req, res) => res.end());
    await new Promise((resolve) => server.close(resolve));
    const failed = await createGithubFetch()(`${base}/x`).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(TypeError);
    expect((failed as TypeError).message).toBe('fetch failed');
    expect(((failed as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('sends a request once more on a fresh socket when a kept-alive one was closed under it', async () => {
    const { base, seen } = await serve((req, res) => {
      // The second request arrives on the kept-alive socket: drop it as a server whose idle
      // timeout just fired would.
      if (seen.length === 2) req.socket.destroy();
      else res.end(`answer ${seen.length}`);
    });
    const fetch = createGithubFetch();
    expect(await (await fetch(`${base}/a`)).text()).toBe('answer 1');
    expect(await (await fetch(`${base}/b`)).text()).toBe('answer 3');
    expect(seen.map((s) => [s.url, s.socket])).toEqual([
      ['/a', 1],
      ['/b', 1],
      ['/b', 2],
    ]);
  });
});
