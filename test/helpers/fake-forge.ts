/**
 * Shared machinery of the fake GitHub and GitLab servers (fake-github.ts, fake-gitlab.ts):
 * a loopback listener, switchable faults, request counters, a quota that can be exhausted until
 * a reset time, pagination and the repository model (branch/tag -> commit sha).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the next matching requests get; `times` (default: until cleared) counts them down. */
export type ForgeFault = (
  | { readonly kind: 'status'; readonly status: number; readonly times?: number }
  /** GitHub: secondary rate limit (403 + retry-after); GitLab: 429 + Retry-After. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number; readonly times?: number }
  /** The request is held open and never answered. */
  | { readonly kind: 'hang'; readonly times?: number }
) & {
  /** Only requests whose path matches (default: every request). */
  readonly path?: RegExp;
};

export interface ForgeStats {
  /** Every request received. */
  requests: number;
  /** Requests that spent primary quota (everything but 304s and rate-limit rejections). */
  quotaRequests: number;
  notModified: number;
  byStatus: Record<number, number>;
}

export interface ForgeRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number | 'hung';
  readonly ifNoneMatch?: string;
}

/** A repository as the fakes see it: branch name -> sha, tag name -> commit sha (peeled). */
export interface ForgeRepoRefs {
  readonly branches: Map<string, string>;
  readonly tags: Map<string, string>;
}

/** Splits a full-ref map (as BareRepo.refs() returns) into branches and tags. */
export function splitRefs(refs: ReadonlyMap<string, string>): ForgeRepoRefs {
  const branches = new Map<string, string>();
  const tags = new Map<string, string>();
  for (const [ref, sha] of refs) {
    if (ref.startsWith('refs/heads/')) branches.set(ref.slice(11), sha);
    else if (ref.startsWith('refs/tags/')) tags.set(ref.slice(10), sha);
  }
  return { branches, tags };
}

export class FaultSwitch {
  private fault: { value: ForgeFault; left: number } | undefined;

  set(fault: ForgeFault | undefined): void {
    this.fault = fault
      ? { value: fault, left: fault.times ?? Number.POSITIVE_INFINITY }
      : undefined;
  }

  /** The fault for a request to `path`, if any (counts `times` down). */
  take(path: string): ForgeFault | undefined {
    if (!this.fault || this.fault.left <= 0) return undefined;
    if (this.fault.value.path && !this.fault.value.path.test(path)) return undefined;
    this.fault.left -= 1;
    return this.fault.value;
  }
}

/** A primary quota: `limit` requests per window, exhaustible until a given reset time. */
export class ForgeQuota {
  remaining: number;
  resetAtMs: number;

  constructor(
    readonly limit: number,
    private readonly windowMs = 3_600_000,
  ) {
    this.remaining = limit;
    this.resetAtMs = Date.now() + windowMs;
  }

  /** Remaining 0 until `resetAt`; then the window restarts full. */
  exhaust(resetAt: Date): void {
    this.remaining = 0;
    this.resetAtMs = resetAt.getTime();
  }

  /** Rolls the window over when its reset time has passed. */
  refresh(): void {
    if (Date.now() >= this.resetAtMs) {
      this.remaining = this.limit;
      this.resetAtMs = Date.now() + this.windowMs;
    }
  }

  exhausted(): boolean {
    this.refresh();
    return this.remaining <= 0;
  }

  spend(): void {
    this.refresh();
    this.remaining = Math.max(0, this.remaining - 1);
  }

  get resetEpochSeconds(): number {
    return Math.ceil(this.resetAtMs / 1000);
  }
}

export function newStats(): ForgeStats {
  return { requests: 0, quotaRequests: 0, notModified: 0, byStatus: {} };
}

export function weakEtag(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('hex')}"`;
}

export function paginate<T>(items: readonly T[], page: number, perPage: number) {
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const current = Math.max(1, page);
  return {
    items: items.slice((current - 1) * perPage, current * perPage),
    page: current,
    totalPages,
    next: current < totalPages ? current + 1 : undefined,
    prev: current > 1 ? current - 1 : undefined,
  };
}

/** `page` / `per_page` query parameters with the forge's default and maximum page size. */
export function pageParams(url: URL, defaultPerPage: number): { page: number; perPage: number } {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const asked = Number.parseInt(url.searchParams.get('per_page') ?? '', 10);
  const perPage = Number.isNaN(asked) || asked < 1 ? defaultPerPage : Math.min(100, asked);
  return { page, perPage };
}

export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1:<random port>. */
export async function listenLoopback(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void,
): Promise<LoopbackServer> {
  let base = '';
  const server = http.createServer((req, res) => handler(req, res, base));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
  });
  res.end(text);
}

export function bearerOrToken(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * One page of `items` as GitLab pages lists (`page`, `per_page`: default 20, max 100): the slice
 * and its headers X-Page, X-Per-Page, X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages and Link,
 * whose URLs keep the request's query.
 */
export function gitlabPage(
  items: readonly unknown[],
  url: URL,
  base: string,
): { items: unknown[]; headers: Record<string, string> } {
  const { page, perPage } = pageParams(url, 20);
  const slice = paginate(items, page, perPage);
  const pageUrl = (n: number): string => {
    const u = new URL(url.pathname + url.search, base);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return `<${u.toString()}>`;
  };
  const links = [
    ...(slice.prev !== undefined ? [`${pageUrl(slice.prev)}; rel="prev"`] : []),
    ...(slice.next !== undefined ? [`${pageUrl(slice.next)}; rel="next"`] : []),
    `${pageUrl(1)}; rel="first"`,
    `${pageUrl(slice.totalPages)}; rel="last"`,
  ];
  return {
    items: [...slice.items],
    headers: {
      'x-page': String(slice.page),
      'x-per-page': String(perPage),
      'x-next-page': slice.next === undefined ? '' : String(slice.next),
      'x-prev-page': slice.prev === undefined ? '' : String(slice.prev),
      'x-total': String(items.length),
      'x-total-pages': String(slice.totalPages),
      link: links.join(', '),
    },
  };
}
