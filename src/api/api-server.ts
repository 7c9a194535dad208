import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { ApiContext } from './api-context.js';
import { createApiApp } from './create-api-app.js';

export interface ApiServerOptions {
  readonly context: ApiContext;
  readonly log: Logger;
  /** api.listen_address */
  readonly host: string;
  /** app.health_check_port; 0 = any free port (see `address()`). */
  readonly port: number;
  readonly keepAliveMs?: number;
}

const DEFAULT_KEEP_ALIVE_MS = 15_000;

/**
 * The HTTP server of the API, health, metrics and Swagger UI. It starts right after storage, so
 * /healthz answers (and /readyz says 503) while the other components start, and stops just
 * before storage: open event streams are ended, requests in progress finish until the deadline.
 */
export class ApiServer implements Component {
  readonly name = 'api';
  private server: http.Server | undefined;
  /** The express app once started (tests read its routes). */
  app: ReturnType<typeof createApiApp> | undefined;
  private readonly streams = new Set<() => void>();

  constructor(private readonly options: ApiServerOptions) {}

  async start(): Promise<void> {
    const app = createApiApp(this.options.context, this.options.log, {
      keepAliveMs: this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
      track: (end) => {
        this.streams.add(end);
        return () => this.streams.delete(end);
      },
    });
    this.app = app;
    const server = http.createServer(app);
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = `${this.options.host}:${this.options.port}`;
        const why =
          err.code === 'EADDRINUSE'
            ? `port ${this.options.port} is in use (app.health_check_port)`
            : err.code === 'EADDRNOTAVAIL'
              ? `address ${this.options.host} is not on this host (api.listen_address)`
              : err.message;
        reject(new ReposentryError('internal', `API server cannot listen on ${where}: ${why}`));
      });
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    const { address, port } = this.address() ?? { address: '', port: 0 };
    this.options.log.info('API listening', { address, port });
  }

  async stop(signal: AbortSignal): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    for (const end of [...this.streams]) end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = (): void => server.closeAllConnections();
    if (signal.aborted) force();
    else signal.addEventListener('abort', force, { once: true });
    await closed;
    signal.removeEventListener('abort', force);
    this.server = undefined;
  }

  /** Where the server listens (the real port when configured with 0). */
  address(): { address: string; port: number } | undefined {
    const info = this.server?.address() as AddressInfo | null | undefined;
    return info ? { address: info.address, port: info.port } : undefined;
  }

  health(): ComponentHealth {
    const where = this.address();
    if (where === undefined) return { status: 'stopped' };
    return { status: 'healthy', details: { port: where.port, streams: this.streams.size } };
  }
}
