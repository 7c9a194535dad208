import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  readonly eventId: string;
  readonly event: string;
  readonly ref: string;
  readonly after: string;
  readonly signatureValid: boolean;
}

/**
 * Stands in for a Tekton EventListener with a GitHub interceptor: checks X-Hub-Signature-256
 * against the shared secret (401 when it does not match, as the interceptor would refuse it)
 * and reports each delivery it accepts.
 */
export class DemoReceiver {
  private server: http.Server | undefined;
  url = '';

  constructor(
    private readonly secret: string,
    private readonly onDelivery: (delivery: ReceivedDelivery) => void,
  ) {}

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const signatureValid = this.verify(body, req.headers['x-hub-signature-256']);
        let parsed: { ref?: string; after?: string } = {};
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
        } catch {
          // reported as an empty ref below
        }
        this.onDelivery({
          eventId: String(req.headers['x-reposentry-event-id'] ?? ''),
          event: String(req.headers['x-github-event'] ?? ''),
          ref: parsed.ref ?? '',
          after: parsed.after ?? '',
          signatureValid,
        });
        res.statusCode = signatureValid ? 202 : 401;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private verify(body: Buffer, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`,
    );
    const given = Buffer.from(header);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
