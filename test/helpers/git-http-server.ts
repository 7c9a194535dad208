/**
 * Serves the bare repositories under `root` over smart HTTP on 127.0.0.1:<random port>, through
 * the real /usr/lib/git-core/git-http-backend (CGI), optionally behind Basic auth.
 *
 *   const server = await createGitHttpServer({ root: factory.root, auth: { password: 'tok' } });
 *   server.urlFor('org/app.git')      // http://127.0.0.1:PORT/org/app.git
 *   server.hang(true)                 // accept requests but never answer (timeouts, argv capture)
 *   await server.waitForRequest()     // resolves once a request has arrived
 *   server.requests                   // [{ method, path, authorized, user }] (never the password)
 *   await server.close()
 *
 * Authenticated requests get REMOTE_USER, so pushes (receive-pack) work too.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpServerOptions {
  readonly root: string;
  /** Basic auth; without `username` any username is accepted with the password. */
  readonly auth?: { readonly username?: string; readonly password: string };
}

export interface GitHttpRequest {
  readonly method: string;
  readonly path: string;
  /** Whether the request carried valid credentials (undefined when auth is off). */
  readonly authorized: boolean | undefined;
  readonly user: string | undefined;
}

export interface GitHttpServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  urlFor(relativePath: string): string;
  readonly requests: readonly GitHttpRequest[];
  /** While true, requests are held open without an answer. */
  hang(on: boolean): void;
  /** Resolves when `count` requests (in total) have arrived. */
  waitForRequest(count?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let hanging = false;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const credentials = parseBasic(req.headers.authorization);
    const auth = options.auth;
    const authorized =
      auth === undefined
        ? undefined
        : credentials !== undefined &&
          credentials.password === auth.password &&
          (auth.username === undefined || credentials.user === auth.username);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      authorized,
      user: credentials?.user,
    });
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (hanging) return;
    if (authorized === false) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      res.end('Authentication required\n');
      return;
    }
    runBackend(options.root, req, res, url, authorized ? credentials?.user : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    urlFor: (relativePath) => `${base}/${relativePath.replace(/^\/+/, '')}`,
    requests,
    hang(on) {
      hanging = on;
    },
    waitForRequest(count = requests.length + 1) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs git-http-backend as a CGI script and relays its answer. */
function runBackend(
  root: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  remoteUser: string | undefined,
): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding']
      ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
      : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    ...(remoteUser !== undefined ? { REMOTE_USER: remoteUser } : {}),
  };
  const cgi = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => {
    if (!headersDone && !res.headersSent) res.writeHead(500);
    res.end();
  });
  cgi.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}
