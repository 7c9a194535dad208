import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RequestOpener } from '../http/open-request.js';
import { sendDelivery, type DeliveryRequest } from './send-delivery.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The client's port: one per connection. */
  readonly clientPort: number | undefined;
}

const servers: Server[] = [];
/** One pool for the whole file, as the daemon has one: the reuse tests depend on it. */
const opener = new RequestOpener();
afterAll(() => opener.close());

async function startReceiver(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        clientPort: req.socket.remotePort,
      });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

function request(url: string, overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    url,
    body: '{"ref":"refs/heads/main"}',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'RepoSentry/9.9.9',
      'X-RepoSentry-Event-Id': 'evt-1',
    },
    timeoutMs: 2_000,
    opener,
    ...overrides,
  };
}

describe('sendDelivery', () => {
  it('POSTs the exact body and headers and reports a 2xx as delivered', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(202).end('accepted'));
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({
      ok: true,
      statusCode: 202,
      retryable: false,
      code: 'delivered',
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.error).toBeUndefined();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      method: 'POST',
      url: '/hook',
      body: '{"ref":"refs/heads/main"}',
    });
    expect(receiver.received[0]!.headers['content-type']).toBe('application/json');
    expect(receiver.received[0]!.headers['x-reposentry-event-id']).toBe('evt-1');
    expect(receiver.received[0]!.headers['user-agent']).toBe('RepoSentry/9.9.9');
  });

  it('sends the body with a Content-Length and reuses one connection for the next deliveries', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(202).end('{"eventID":"x"}'));
    const body = '{"ref":"refs/heads/main","message":"café"}';
    for (let i = 0; i < 3; i += 1) {
      expect(await sendDelivery(request(receiver.url, { body }))).toMatchObject({ ok: true });
    }
    expect(receiver.received.map((r) => r.body)).toEqual([body, body, body]);
    expect(receiver.received[0]!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(receiver.received[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(new Set(receiver.received.map((r) => r.clientPort)).size).toBe(1);
  });

  it('also reuses the connection after an error answer whose body was read', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(503).end('busy'));
    for (let i = 0; i < 2; i += 1) {
      expect(await sendDelivery(request(receiver.url))).toMatchObject({ error: 'HTTP 503: busy' });
    }
    expect(new Set(receiver.received.map((r) => r.clientPort)).size).toBe(1);
  });

  it('sends a delivery once more on a fresh connection when the kept-alive one was closed under it', async () => {
    const receiver = await startReceiver((req, res) => {
      // The second delivery arrives on the kept-alive connection: close it unanswered, as a
      // listener whose idle timeout fired just then would.
      if (receiver.received.length === 2) req.socket.destroy();
      else res.writeHead(202).end();
    });
    expect(await sendDelivery(request(receiver.url))).toMatchObject({ ok: true });
    expect(await sendDelivery(request(receiver.url))).toMatchObject({ ok: true, statusCode: 202 });
    const ports = receiver.received.map((r) => r.clientPort);
    expect(ports).toHaveLength(3);
    expect(ports[1]).toBe(ports[0]);
    expect(ports[2]).not.toBe(ports[1]);
  });

  it('rejects a header value that cannot be sent, without echoing it', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(202).end());
    const outcome = await sendDelivery(
      request(receiver.url, { headers: { 'X-Team': 'infra\r\nX-Injected: sk-secret-value' } }),
    );
    expect(outcome).toMatchObject({ ok: false, retryable: false, code: 'delivery-rejected' });
    expect(outcome.error).toMatch(/^invalid request: /);
    expect(outcome.error).not.toContain('sk-secret-value');
    expect(receiver.received).toHaveLength(0);
  });

  it('does not retry a 400 and quotes the start of the response body', async () => {
    const receiver = await startReceiver((_req, res) =>
      res.writeHead(400).end('{"message":"payload\nrejected"}'),
    );
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({
      ok: false,
      statusCode: 400,
      retryable: false,
      code: 'delivery-rejected',
      error: 'HTTP 400: {"message":"payload rejected"}',
    });
  });

  it.each([408, 500, 502, 503])('retries a %i', async (status) => {
    const receiver = await startReceiver((_req, res) => res.writeHead(status).end());
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({ ok: false, statusCode: status, retryable: true });
    expect(outcome.code).toBe('delivery-failed');
  });

  it('retries a 429 and reads Retry-After in seconds', async () => {
    const receiver = await startReceiver((_req, res) =>
      res.writeHead(429, { 'Retry-After': '7' }).end(),
    );
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({ statusCode: 429, retryable: true, retryAfterMs: 7_000 });
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    const receiver = await startReceiver((_req, res) =>
      res.writeHead(503, { 'Retry-After': at.toUTCString() }).end(),
    );
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome.retryAfterMs).toBeGreaterThan(25_000);
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(31_000);
  });

  it('keeps the error short when the response body is long', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(500).end('x'.repeat(50_000)));
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome.error!.length).toBeLessThanOrEqual(250);
  });

  it('does not follow redirects', async () => {
    const receiver = await startReceiver((_req, res) =>
      res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' }).end(),
    );
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({ statusCode: 302, retryable: false, code: 'delivery-rejected' });
    expect(receiver.received).toHaveLength(1);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const receiver = await startReceiver(() => undefined);
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const outcome = await sendDelivery(request(receiver.url));
    expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'delivery-failed' });
    expect(outcome.statusCode).toBeUndefined();
    expect(outcome.error).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    const receiver = await startReceiver(() => undefined);
    const outcome = await sendDelivery(request(receiver.url, { timeoutMs: 300 }));
    expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'delivery-failed' });
    expect(outcome.error).toBe('timed out after 300ms');
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(250);
    expect(outcome.latencyMs).toBeLessThan(2_000);
  });

  it('answers from the status line when an error body trickles in too slowly', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.write('partial');
    });
    const started = Date.now();
    const outcome = await sendDelivery(request(receiver.url, { timeoutMs: 400 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toMatchObject({ statusCode: 500, retryable: true, code: 'delivery-failed' });
    expect(outcome.error).toMatch(/^HTTP 500/);
  });

  it('does not wait for the body of a 2xx', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200);
      res.write('still');
    });
    const started = Date.now();
    const outcome = await sendDelivery(request(receiver.url, { timeoutMs: 5_000 }));
    expect(outcome).toMatchObject({ ok: true, statusCode: 200, code: 'delivered' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops when the caller aborts (shutdown) and reports it as retryable', async () => {
    const receiver = await startReceiver(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const outcome = await sendDelivery(
      request(receiver.url, { timeoutMs: 10_000, signal: controller.signal }),
    );
    expect(outcome).toMatchObject({ ok: false, retryable: true, error: 'aborted' });
  });

  it('never puts the token or basic-auth credentials in the error', async () => {
    const token = 'gl-token-5f2b9c';
    const password = 'p4ss-w0rd-x9';
    const receiver = await startReceiver((req, res) =>
      res.writeHead(401).end(`denied ${JSON.stringify(req.headers)} token=${token}`),
    );
    const url = receiver.url.replace('http://', `http://robot:${password}@`);
    const outcome = await sendDelivery(
      request(url, { headers: { 'X-Gitlab-Token': token, 'Content-Type': 'application/json' } }),
    );
    expect(outcome.statusCode).toBe(401);
    expect(outcome.error).toContain('[REDACTED]');
    expect(outcome.error).not.toContain(token);
    expect(outcome.error).not.toContain(password);
    const basic = Buffer.from(`robot:${password}`).toString('base64');
    expect(outcome.error).not.toContain(basic);
    // Credentials went out as basic auth, not in the request line.
    expect(receiver.received[0]!.headers.authorization).toBe(`Basic ${basic}`);
    expect(receiver.received[0]!.url).toBe('/hook');
  });

  it('never echoes a token given as the URL user name, nor one the body breaks over lines', async () => {
    const token = 'ghp_url-user-token-77f3';
    const secret = 'hdr-secret-value-1234';
    const receiver = await startReceiver((_req, res) =>
      res
        .writeHead(403)
        .end(`user ${token} refused\nkey ${secret.slice(0, 8)}\n${secret.slice(8)}`),
    );
    const url = receiver.url.replace('http://', `http://${token}@`);
    const outcome = await sendDelivery(
      request(url, { headers: { 'X-Api-Key': secret, 'Content-Type': 'application/json' } }),
    );
    expect(outcome.error).toBe('HTTP 403: user [REDACTED] refused key [REDACTED]');
  });

  it('rejects an unusable URL without throwing', async () => {
    const outcome = await sendDelivery(request('not a url'));
    expect(outcome).toMatchObject({ ok: false, retryable: false, code: 'delivery-rejected' });
  });
});
