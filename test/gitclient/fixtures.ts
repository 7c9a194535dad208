import { readdirSync, readFileSync } from 'node:fs';
import type { Config, RepositoryConfig } from '../../src/config/config-types.js';

/** A repository config as loadConfig would produce it, with test defaults. */
export function repoConfig(
  overrides: Partial<RepositoryConfig> & Pick<RepositoryConfig, 'url'>,
): RepositoryConfig {
  return {
    name: 'app',
    provider: 'github',
    branchPattern: '.*',
    branchRegex: /.*/,
    pollingIntervalMs: 60_000,
    enabled: true,
    eventListenerUrl: 'http://127.0.0.1:9/listener',
    payloadFormat: 'github',
    ...overrides,
  };
}

export interface TestConfigOverrides {
  readonly polling?: Partial<Config['polling']>;
  readonly github?: Partial<Config['rateLimit']['github']>;
  readonly gitlab?: Partial<Config['rateLimit']['gitlab']>;
}

/** The parts of the config snapshot the git clients read; fast retries for tests. */
export function clientConfig(
  overrides: TestConfigOverrides = {},
): Pick<Config, 'polling' | 'rateLimit'> {
  return {
    polling: {
      intervalMs: 60_000,
      timeoutMs: 10_000,
      maxWorkers: 2,
      jitter: 0,
      triggerOnFirstSeen: false,
      enableApiFallback: true,
      retryAttempts: 2,
      retryBackoffMs: 10,
      adaptive: { enabled: false, maxIntervalMs: 1_800_000 },
      ...overrides.polling,
    },
    rateLimit: {
      github: { requestsPerHour: 4000, requestsPerMinute: 900, burst: 50, ...overrides.github },
      gitlab: { requestsPerSecond: 50, burst: 50, ...overrides.gitlab },
    },
  };
}

/** Command lines (argv joined by spaces) of every process whose argv mentions `needle`. */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(needle)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Every form a token could leak in: raw, base64 of `user:token` for the usual users, URL-encoded. */
export function tokenForms(token: string): string[] {
  const users = ['', 'x-access-token:', 'oauth2:', 'git:', ':'];
  return [
    token,
    encodeURIComponent(token),
    ...users.map((u) => Buffer.from(u + token).toString('base64')),
  ];
}

export async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; retryable?: boolean; resetAt?: Date }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; resetAt?: Date };
  }
  throw new Error('expected the promise to reject, it resolved');
}
