import { VERSION } from '../version.js';
import type { CliIo, ParsedArgs } from './cli-command.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const REQUEST_TIMEOUT_MS = 10_000;

/** Options every command that talks to a running daemon takes. */
export const API_CLIENT_OPTIONS = {
  server: { type: 'string', short: 's' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A failed call: the daemon answered with an error, or could not be reached. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
}

/**
 * Talks to a daemon's HTTP API: `--server` (else $REPOSENTRY_SERVER, else 127.0.0.1:8080) and
 * `--token` (else $REPOSENTRY_API_TOKEN, the variable the config usually reads it from), sent with
 * every request: mutations always need it, reads when the daemon has api.auth_reads.
 */
export class ApiClient {
  readonly server: string;
  private readonly token: string | undefined;

  constructor(args: ParsedArgs, io: CliIo) {
    const server = args.values.server ?? io.env.REPOSENTRY_SERVER ?? DEFAULT_SERVER;
    const token = args.values.token ?? io.env.REPOSENTRY_API_TOKEN;
    this.server = String(server).replace(/\/+$/, '');
    this.token = typeof token === 'string' && token !== '' ? token : undefined;
    let url: URL;
    try {
      url = new URL(this.server);
    } catch {
      throw new ApiCallError(`--server: ${JSON.stringify(this.server)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ApiCallError(`--server: ${JSON.stringify(this.server)} is not an http(s) URL`);
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string): Promise<T> {
    return this.call<T>('POST', path);
  }

  private async call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `reposentry-cli/${VERSION}`,
    };
    // Reads too: a daemon with api.auth_reads refuses them without it.
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.server}${path}`, {
        method,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why =
        cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
      throw new ApiCallError(
        `cannot reach the RepoSentry API at ${this.server}: ${why} (is the daemon running? set --server or REPOSENTRY_SERVER)`,
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiCallError(
        `${this.server}${path} answered HTTP ${response.status} with something other than JSON: is --server a RepoSentry API?`,
      );
    }
    if (!response.ok) {
      const { error, message } = body as { error?: string; message?: string };
      const hint =
        response.status === 401 && this.token === undefined
          ? ' (give --token or set REPOSENTRY_API_TOKEN)'
          : '';
      throw new ApiCallError(
        `HTTP ${response.status} ${error ?? 'error'}: ${message ?? text.slice(0, 200)}${hint}`,
      );
    }
    return body as T;
  }
}
