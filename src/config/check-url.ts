import { redactUrl } from '../logging/redact.js';

/** What a URL key accepts: an HTTP endpoint, anything `git` can clone from, or a database. */
export type UrlKind = 'http' | 'git' | 'postgres';

export interface UrlCheckOptions {
  readonly kind: UrlKind;
  /** security.require_https: only https (loopback hosts excepted, as traffic stays local). */
  readonly requireHttps: boolean;
}

const SCP_LIKE = /^[^@/\s:]+@[^@/\s:]+:(?!\/\/)\S+$/;
const GIT_PROTOCOLS = new Set(['http:', 'https:', 'ssh:', 'file:']);
const HTTP_PROTOCOLS = new Set(['http:', 'https:']);
const POSTGRES_PROTOCOLS = new Set(['postgres:', 'postgresql:']);
const EXPECTED: Readonly<Record<UrlKind, string>> = {
  http: 'an http(s) URL',
  git: 'an http(s), ssh:// or file:// URL or user@host:path',
  postgres: 'a postgres:// URL',
};
const PROTOCOLS: Readonly<Record<UrlKind, ReadonlySet<string>>> = {
  http: HTTP_PROTOCOLS,
  git: GIT_PROTOCOLS,
  postgres: POSTGRES_PROTOCOLS,
};

/** The reason `value` is not acceptable for a URL key, or undefined when it is. */
export function urlProblem(value: string, options: UrlCheckOptions): string | undefined {
  const shown = JSON.stringify(redactUrl(value));
  const expected = EXPECTED[options.kind];
  if (options.kind === 'git' && SCP_LIKE.test(value)) {
    return options.requireHttps ? requireHttpsReason(shown) : undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be ${expected} (got ${shown})`;
  }
  if (!PROTOCOLS[options.kind].has(url.protocol)) return `must be ${expected} (got ${shown})`;
  // A postgres URL without a host connects through the local socket (or ?host=).
  const hostless = url.protocol === 'file:' || options.kind === 'postgres';
  if (!hostless && url.hostname === '') return `must name a host (got ${shown})`;
  if (options.requireHttps && url.protocol !== 'https:' && !isLoopback(url)) {
    return requireHttpsReason(shown);
  }
  return undefined;
}

function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function requireHttpsReason(shown: string): string {
  return `must use https because security.require_https is true (got ${shown})`;
}
