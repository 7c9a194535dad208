/**
 * A lean loopback server answering like the GitHub REST API for many repositories (10,000 and
 * more), for the benchmark. test/helpers/fake-github.ts keeps every request and re-renders every
 * page; this one keeps each page's body and ETag until a branch of the repository changes, and
 * only counts. The shapes are GitHub's:
 *
 *   GET {/api/v3}/repos/{owner}/{repo}/branches?per_page=&page=   [{name, commit:{sha,url}, protected}]
 *   GET {/api/v3}/repos/{owner}/{repo}/tags                       []
 *   GET {/api/v3}/repositories/{id}/branches?per_page=&page=     (where the Link header points)
 *
 * Lists paginate with `per_page` (default 30, at most 100) and a Link header; 200s carry a weak
 * ETag and `If-None-Match` with the current ETag gets a 304 that spends no quota (as on GitHub);
 * every answer carries x-ratelimit-* headers; requests without the token get 401.
 *
 * Requests are counted per client, told apart by User-Agent: `RepoSentry/<version>` is the
 * daemon, anything else (the Go-style poller) is `other`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ClientKind = 'daemon' | 'other';

export interface RequestCounts {
  /** Every request. */
  requests: number;
  /** Requests that spent primary quota: every answer but 304 (and rate-limit rejections). */
  quotaUnits: number;
  /** 304 Not Modified answers (free). */
  notModified: number;
}

export interface BenchRepo {
  readonly index: number;
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
}

export interface BenchGithubOptions {
  /** Repositories `bench-org/repo-00001` ... */
  readonly repositories: number;
  /** Required as `token <t>` or `Bearer <t>`. */
  readonly token: string;
  /** Extra branches of repository `index` (besides main, develop and release/1.0). */
  readonly extraBranches?: (index: number) => number;
  /** Primary quota per hour shown in the x-ratelimit headers. */
  readonly quotaLimit?: number;
}

export interface BenchGithub {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** http://127.0.0.1:PORT/api/v3 (the GitHub Enterprise Server layout). */
  readonly apiBaseUrl: string;
  readonly repos: readonly BenchRepo[];
  /** Counters per client kind since start. */
  counts(kind: ClientKind): RequestCounts;
  /** Daemon polls per repository so far (requests for page 1 of its branches). */
  polls(index: number): number;
  /** The fewest daemon polls any repository has had: every repository was polled this often. */
  minPolls(): number;
  /** Daemon polls per repository so far, to compare with later (`polledSince`). */
  pollCounts(): Uint32Array;
  /** Whether every repository has been polled again since `counts` was taken. */
  polledSince(counts: Uint32Array): boolean;
  /** Total daemon polls (page-1 branch requests). */
  totalPolls(): number;
  /** Moves `branch` of a repository to a new commit; returns the new sha. */
  push(index: number, branch?: string): string;
  /** Pushes made so far. */
  pushes(): number;
  /** Branches of a repository and their shas, as the API would list them. */
  branches(index: number): ReadonlyMap<string, string>;
  close(): Promise<void>;
}

interface RepoState extends BenchRepo {
  readonly id: number;
  readonly branches: Map<string, string>;
  version: number;
  /** Rendered pages per per_page value: body and ETag. */
  pages: Map<number, { body: string; etag: string }[]>;
}

const DAEMON_AGENT = /^RepoSentry\//;

function sha(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

export function repoName(index: number): string {
  return `repo-${String(index + 1).padStart(5, '0')}`;
}

export async function startBenchGithub(options: BenchGithubOptions): Promise<BenchGithub> {
  const quotaLimit = options.quotaLimit ?? 1_000_000;
  let quotaUsed = 0;
  const resetAt = Math.ceil(Date.now() / 1000) + 3600;
  const repos: RepoState[] = [];
  const byName = new Map<string, RepoState>();
  const byId = new Map<number, RepoState>();
  for (let index = 0; index < options.repositories; index += 1) {
    const name = repoName(index);
    const branches = new Map<string, string>();
    for (const branch of ['main', 'develop', 'release/1.0'])
      branches.set(branch, sha(name, branch));
    const extra = options.extraBranches?.(index) ?? 0;
    for (let b = 0; b < extra; b += 1) {
      const branch = `feature/${String(b).padStart(4, '0')}`;
      branches.set(branch, sha(name, branch));
    }
    const state: RepoState = {
      index,
      owner: 'bench-org',
      name,
      fullName: `bench-org/${name}`,
      id: 100_000 + index,
      branches,
      version: 0,
      pages: new Map(),
    };
    repos.push(state);
    byName.set(state.fullName.toLowerCase(), state);
    byId.set(state.id, state);
  }
  const polls = new Uint32Array(repos.length);
  let totalPolls = 0;
  let pushes = 0;
  const counts: Record<ClientKind, RequestCounts> = {
    daemon: { requests: 0, quotaUnits: 0, notModified: 0 },
    other: { requests: 0, quotaUnits: 0, notModified: 0 },
  };

  let base = '';
  const server = http.createServer((req, res) => {
    const kind: ClientKind = DAEMON_AGENT.test(req.headers['user-agent'] ?? '')
      ? 'daemon'
      : 'other';
    const count = counts[kind];
    count.requests += 1;
    const reply = (status: number, body: string | undefined, headers: Record<string, string>) => {
      if (status === 304) count.notModified += 1;
      else {
        count.quotaUnits += 1;
        quotaUsed += 1;
      }
      res.writeHead(status, {
        ...headers,
        'x-ratelimit-limit': String(quotaLimit),
        'x-ratelimit-remaining': String(Math.max(0, quotaLimit - quotaUsed)),
        'x-ratelimit-used': String(quotaUsed),
        'x-ratelimit-reset': String(resetAt),
        'x-ratelimit-resource': 'core',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-api-version-selected': '2022-11-28',
        'x-github-request-id': `BE0C:${count.requests.toString(16)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      });
      res.end(body);
    };
    const error = (status: number, message: string): void =>
      reply(
        status,
        JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest' }),
        {},
      );

    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth !== options.token) return error(401, 'Bad credentials');
    const url = new URL(req.url ?? '/', base);
    const parts = url.pathname
      .replace(/^\/api\/v3(?=\/)/, '')
      .split('/')
      .filter((p) => p !== '');
    let repo: RepoState | undefined;
    let rest: string[] = [];
    if (parts[0] === 'repos' && parts.length >= 3) {
      repo = byName.get(`${parts[1]}/${parts[2]}`.toLowerCase());
      rest = parts.slice(3);
    } else if (parts[0] === 'repositories' && parts.length >= 2) {
      repo = byId.get(Number(parts[1]));
      rest = parts.slice(2);
    }
    if (repo === undefined || req.method !== 'GET') return error(404, 'Not Found');
    if (rest.length === 1 && rest[0] === 'tags') {
      return reply(200, '[]', { etag: `W/"${sha('tags', repo.fullName)}"` });
    }
    if (rest.length !== 1 || rest[0] !== 'branches') return error(404, 'Not Found');

    const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
    const asked = Number.parseInt(url.searchParams.get('per_page') ?? '', 10);
    const perPage = Number.isNaN(asked) || asked < 1 ? 30 : Math.min(100, asked);
    if (kind === 'daemon' && page === 1) {
      polls[repo.index] = (polls[repo.index] ?? 0) + 1;
      totalPolls += 1;
    }
    const pages = render(repo, perPage, `${base}/api/v3`);
    const current = pages[page - 1] ?? { body: '[]', etag: `W/"${sha('empty')}"` };
    const headers: Record<string, string> = {
      etag: current.etag,
      'cache-control': 'private, max-age=60, s-maxage=60',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    };
    const link = linkHeader(
      `${base}/api/v3/repositories/${repo.id}/branches`,
      perPage,
      page,
      pages.length,
    );
    if (link) headers.link = link;
    if (req.headers['if-none-match'] === current.etag) return reply(304, undefined, headers);
    reply(200, current.body, headers);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiBaseUrl: `${base}/api/v3`,
    repos,
    counts: (kind) => ({ ...counts[kind] }),
    polls: (index) => polls[index] ?? 0,
    minPolls: () => (polls.length === 0 ? 0 : polls.reduce((a, b) => Math.min(a, b))),
    pollCounts: () => polls.slice(),
    polledSince: (counts) => polls.every((value, index) => value > (counts[index] ?? 0)),
    totalPolls: () => totalPolls,
    push(index, branch = 'main') {
      const repo = repos[index];
      if (repo === undefined) throw new Error(`no repository ${index}`);
      repo.version += 1;
      pushes += 1;
      const next = sha(repo.name, branch, repo.version);
      repo.branches.set(branch, next);
      repo.pages.clear();
      return next;
    },
    pushes: () => pushes,
    branches: (index) => new Map(repos[index]?.branches ?? []),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The pages of a repository's branch list at `perPage`, rendered once per change. */
function render(
  repo: RepoState,
  perPage: number,
  apiBase: string,
): { body: string; etag: string }[] {
  const cached = repo.pages.get(perPage);
  if (cached) return cached;
  const names = [...repo.branches.keys()].sort();
  const pages: { body: string; etag: string }[] = [];
  for (let start = 0; start < names.length; start += perPage) {
    const items = names.slice(start, start + perPage).map((name) => {
      const commit = repo.branches.get(name) ?? '';
      return {
        name,
        commit: { sha: commit, url: `${apiBase}/repos/${repo.fullName}/commits/${commit}` },
        protected: name === 'main',
      };
    });
    const body = JSON.stringify(items);
    pages.push({ body, etag: `W/"${createHash('sha1').update(body).digest('hex')}"` });
  }
  repo.pages.set(perPage, pages);
  return pages;
}

function linkHeader(path: string, perPage: number, page: number, last: number): string {
  const at = (p: number): string => `<${path}?per_page=${perPage}&page=${p}>`;
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.join(', ');
}
