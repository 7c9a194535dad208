/**
 * A loopback server answering like the GitHub REST API for what RepoSentry reads, with the JSON
 * shapes of the real endpoints (learned from @octokit/fixtures recordings and GitHub's docs):
 *
 *   GET {prefix}/repos/{owner}/{repo}                          repository
 *   GET {prefix}/repos/{owner}/{repo}/branches                 [{name, commit:{sha,url}, protected}]
 *   GET {prefix}/repos/{owner}/{repo}/tags                     [{name, zipball_url, tarball_url, commit, node_id}]
 *   GET {prefix}/repos/{owner}/{repo}/git/matching-refs/{ref}  [{ref, node_id, url, object:{sha,type,url}}]
 *   GET {prefix}/repos/{owner}/{repo}/pulls?state=open|closed|all   [pull], paged, with an ETag
 *   GET {prefix}/repos/{owner}/{repo}/pulls/{number}           pull
 *   GET {prefix}/repos/{owner}/{repo}/commits/{sha}            a commit      } from the bare repository
 *   GET {prefix}/repos/{owner}/{repo}/compare/{base}...{head}  a comparison  } given by `setGitDir`
 *   ... and the same under /repositories/{id}/ (where GitHub's Link headers point)
 *   GET {prefix}/orgs/{org}/repos      [repository], paged, with an ETag } given by
 *   GET {prefix}/users/{user}/repos    [public repository], likewise     } setOrgRepositories /
 *                                                                          setUserRepositories
 *                                                                          (github-owner-api.ts)
 *
 * `prefix` is '' (api.github.com style, `url`) or '/api/v3' (GitHub Enterprise, `gheUrl`).
 * Lists paginate with `per_page` (default 30, max 100) and a Link header; 200s carry a weak ETag
 * and `If-None-Match` gets a 304 that spends no quota; every answer has x-ratelimit-* headers.
 *
 *   const gh = await createFakeGithub({ token: 'ghp_test' });
 *   gh.setRepo('org/app', await bareRepo.refs());
 *   gh.fault({ kind: 'status', status: 502, times: 3 });   // or rate-limit / hang; undefined clears
 *   gh.quota.exhaust(new Date(Date.now() + 2000));         // 403 "API rate limit exceeded" until then
 *   gh.stats  // { requests, quotaRequests, notModified, byStatus }
 */
import type http from 'node:http';
import {
  FaultSwitch,
  ForgeQuota,
  bearerOrToken,
  listenLoopback,
  newStats,
  pageParams,
  paginate,
  sendJson,
  splitRefs,
  weakEtag,
  type ForgeFault,
  type ForgeRepoRefs,
  type ForgeRequestRecord,
  type ForgeStats,
} from './fake-forge.js';
import { githubCommit, githubCompare } from './github-commit-api.js';
import { GithubOwners, type FakeOwnerRepository } from './github-owner-api.js';

export interface FakeGithubOptions {
  /** When set, requests must carry `token <t>` / `Bearer <t>`: wrong = 401, missing = 404. */
  readonly token?: string;
  /** Primary quota per hour (default 5000). */
  readonly quotaLimit?: number;
}

export interface FakeGithub {
  /** API root in the api.github.com style: http://127.0.0.1:PORT */
  readonly url: string;
  /** API root in the GitHub Enterprise style: http://127.0.0.1:PORT/api/v3 */
  readonly gheUrl: string;
  readonly quota: ForgeQuota;
  readonly stats: ForgeStats;
  readonly requests: readonly ForgeRequestRecord[];
  /** Sets a repository's refs: a full-ref map (refs/heads/*, refs/tags/*) or branches/tags. */
  setRepo(fullName: string, refs: ReadonlyMap<string, string> | ForgeRepoRefs): void;
  setBranch(fullName: string, branch: string, sha: string): void;
  deleteBranch(fullName: string, branch: string): void;
  /** The bare repository commit and compare answers come from (else they are 404). */
  setGitDir(fullName: string, gitDir: string): void;
  /** What GET /repos/{owner}/{repo} says besides the names (id, private, default_branch). */
  setRepository(fullName: string, facts: { private?: boolean; defaultBranch?: string }): void;
  /** Creates or replaces a pull request of the repository. */
  setPull(fullName: string, pull: FakePull): void;
  /** The pull request is gone (GET .../pulls/{n} answers 404). */
  deletePull(fullName: string, number: number): void;
  /** The repository is gone (deleted or renamed): its URLs answer 404 from now on. */
  removeRepo(fullName: string): void;
  fault(fault: ForgeFault | undefined): void;
  resetStats(): void;
  close(): Promise<void>;
  /** Creates or replaces an organization and its repositories (GET /orgs/{org}/repos). */
  setOrgRepositories(org: string, repositories: readonly FakeOwnerRepository[]): void;
  /** Creates or replaces a user and its repositories (GET /users/{user}/repos: public ones). */
  setUserRepositories(user: string, repositories: readonly FakeOwnerRepository[]): void;
}

/** A pull request as a test describes it; served in GitHub's shape. */
export interface FakePull {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged?: boolean;
  readonly title?: string;
  readonly draft?: boolean;
  readonly user?: string;
  readonly headRef: string;
  readonly headSha: string;
  /** `owner/name` of the head's repository when it is a fork; null when the fork is deleted. */
  readonly fork?: string | null;
  readonly baseRef: string;
  readonly baseSha?: string;
}

interface RepoState extends ForgeRepoRefs {
  readonly id: number;
  readonly fullName: string;
  gitDir?: string;
  private?: boolean;
  defaultBranch?: string;
  pulls: Map<number, FakePull>;
}

export async function createFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const repos = new Map<string, RepoState>();
  const quota = new ForgeQuota(options.quotaLimit ?? 5000);
  const faults = new FaultSwitch();
  const requests: ForgeRequestRecord[] = [];
  let stats = newStats();
  const owners = new GithubOwners();

  const server = await listenLoopback((req, res, base) => {
    const url = new URL(req.url ?? '/', base);
    stats.requests += 1;
    const ifNoneMatch = req.headers['if-none-match'];
    const record = (status: number | 'hung'): void => {
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status,
        ...(typeof ifNoneMatch === 'string' ? { ifNoneMatch } : {}),
      });
      if (typeof status === 'number') stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    };
    const fault = faults.take(url.pathname);
    if (fault?.kind === 'hang') return record('hung');
    const rateHeaders = (): Record<string, string> => ({
      'x-ratelimit-limit': String(quota.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-used': String(quota.limit - quota.remaining),
      'x-ratelimit-reset': String(quota.resetEpochSeconds),
      'x-ratelimit-resource': 'core',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `0000:${stats.requests}`,
    });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (status !== 304 && !(status === 403 && headers['x-ratelimit-remaining'] === '0')) {
        if (!('retry-after' in headers)) {
          quota.spend();
          stats.quotaRequests += 1;
        }
      }
      if (status === 304) stats.notModified += 1;
      record(status);
      sendJson(res, status, body, { ...rateHeaders(), ...headers });
    };
    if (quota.exhausted()) {
      return reply(
        403,
        {
          message: 'API rate limit exceeded for user ID 1000.',
          documentation_url:
            'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
        },
        { ...rateHeaders(), 'x-ratelimit-remaining': '0' },
      );
    }
    if (fault?.kind === 'rate-limit') {
      return reply(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    if (fault?.kind === 'status') {
      return reply(fault.status, errorBody(fault.status));
    }
    if (options.token !== undefined) {
      const given = bearerOrToken(req.headers.authorization);
      if (given === undefined) return reply(404, errorBody(404));
      if (given !== options.token) return reply(401, errorBody(401));
    }
    const apiBase = base + (url.pathname.startsWith('/api/v3/') ? '/api/v3' : '');
    const etagAsked = typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined;
    if (owners.serve(url, apiBase, etagAsked, reply)) return;
    const routed = route(url, repos);
    if (routed === undefined) return reply(404, errorBody(404));
    const { repo, rest } = routed;
    serveRepo(req, url, apiBase, repo, rest, reply);
  });

  const repoState = (fullName: string): RepoState => {
    const existing = repos.get(fullName.toLowerCase());
    if (existing) return existing;
    const created = {
      id: 1000 + repos.size,
      fullName,
      branches: new Map(),
      tags: new Map(),
      pulls: new Map(),
    };
    repos.set(fullName.toLowerCase(), created);
    return created;
  };

  return {
    url: server.url,
    gheUrl: `${server.url}/api/v3`,
    quota,
    get stats() {
      return stats;
    },
    requests,
    setRepo(fullName, refs) {
      const state = repoState(fullName);
      const split = refs instanceof Map ? splitRefs(refs) : (refs as ForgeRepoRefs);
      state.branches.clear();
      state.tags.clear();
      for (const [k, v] of split.branches) state.branches.set(k, v);
      for (const [k, v] of split.tags) state.tags.set(k, v);
    },
    setBranch: (fullName, branch, sha) => void repoState(fullName).branches.set(branch, sha),
    deleteBranch: (fullName, branch) => void repoState(fullName).branches.delete(branch),
    setGitDir: (fullName, gitDir) => void (repoState(fullName).gitDir = gitDir),
    setRepository(fullName, facts) {
      const state = repoState(fullName);
      if (facts.private !== undefined) state.private = facts.private;
      if (facts.defaultBranch !== undefined) state.defaultBranch = facts.defaultBranch;
    },
    setPull: (fullName, pull) => void repoState(fullName).pulls.set(pull.number, pull),
    deletePull: (fullName, number) => void repoState(fullName).pulls.delete(number),
    removeRepo: (fullName) => void repos.delete(fullName.toLowerCase()),
    fault: (fault) => faults.set(fault),
    resetStats() {
      stats = newStats();
      requests.length = 0;
    },
    close: () => server.close(),
    setOrgRepositories: (org, repositories) => owners.set('Organization', org, repositories),
    setUserRepositories: (user, repositories) => owners.set('User', user, repositories),
  };
}

function route(
  url: URL,
  repos: Map<string, RepoState>,
): { repo: RepoState; rest: string[] } | undefined {
  const parts = url.pathname
    .replace(/^\/api\/v3(?=\/)/, '')
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (parts[0] === 'repos' && parts.length >= 3) {
    const repo = repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
    return repo ? { repo, rest: parts.slice(3) } : undefined;
  }
  if (parts[0] === 'repositories' && parts.length >= 2) {
    const repo = [...repos.values()].find((r) => String(r.id) === parts[1]);
    return repo ? { repo, rest: parts.slice(2) } : undefined;
  }
  return undefined;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

function serveRepo(
  req: http.IncomingMessage,
  url: URL,
  apiBase: string,
  repo: RepoState,
  rest: string[],
  reply: Reply,
): void {
  const repoUrl = `${apiBase}/repos/${repo.fullName}`;
  const commit = (sha: string) => ({ sha, url: `${repoUrl}/commits/${sha}` });
  let items: unknown[];
  if (rest.length === 0) {
    const body = repositoryBody(repo, apiBase);
    const etag = weakEtag(JSON.stringify(body));
    if (req.headers['if-none-match'] === etag) return reply(304, undefined, { etag });
    return reply(200, body, { etag });
  }
  if (rest[0] === 'commits' || rest[0] === 'compare') {
    void serveCommits(url, apiBase, repo, rest, reply);
    return;
  }
  if (rest[0] === 'branches' && rest.length === 1) {
    items = [...repo.branches.keys()].sort().map((name) => ({
      name,
      commit: commit(repo.branches.get(name) ?? ''),
      protected: false,
    }));
  } else if (rest[0] === 'tags' && rest.length === 1) {
    items = [...repo.tags.keys()]
      .sort()
      .reverse()
      .map((name) => ({
        name,
        zipball_url: `${repoUrl}/zipball/refs/tags/${name}`,
        tarball_url: `${repoUrl}/tarball/refs/tags/${name}`,
        commit: commit(repo.tags.get(name) ?? ''),
        node_id: Buffer.from(`Ref:${name}`).toString('base64'),
      }));
  } else if (rest[0] === 'pulls' && rest.length === 2) {
    const pull = repo.pulls.get(Number(rest[1]));
    if (pull === undefined) return reply(404, errorBody(404));
    return reply(200, pullBody(pull, repo, apiBase));
  } else if (rest[0] === 'pulls' && rest.length === 1) {
    const state = url.searchParams.get('state') ?? 'open';
    items = [...repo.pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .sort((a, b) => b.number - a.number)
      .map((p) => pullBody(p, repo, apiBase));
  } else if (rest[0] === 'git' && rest[1] === 'matching-refs') {
    const prefix = `refs/${rest.slice(2).join('/')}`;
    const all = [
      ...[...repo.branches].map(([n, s]) => [`refs/heads/${n}`, s] as const),
      ...[...repo.tags].map(([n, s]) => [`refs/tags/${n}`, s] as const),
    ].sort(([a], [b]) => a.localeCompare(b));
    items = all
      .filter(([ref]) => ref.startsWith(prefix))
      .map(([ref, sha]) => ({
        ref,
        node_id: Buffer.from(`Ref:${ref}`).toString('base64'),
        url: `${repoUrl}/git/${ref}`,
        object: { sha, type: 'commit', url: `${repoUrl}/git/commits/${sha}` },
      }));
  } else {
    return reply(404, errorBody(404));
  }
  const { page, perPage } = pageParams(url, 30);
  const slice = paginate(items, page, perPage);
  const body = JSON.stringify(slice.items);
  const etag = weakEtag(body);
  const link = linkHeader(`${apiBase}/repositories/${repo.id}/${rest.join('/')}`, perPage, slice);
  const headers = {
    etag,
    ...(link ? { link } : {}),
    'cache-control': 'private, max-age=60, s-maxage=60',
  };
  if (req.headers['if-none-match'] === etag) return reply(304, undefined, headers);
  reply(200, slice.items, headers);
}

async function serveCommits(
  url: URL,
  apiBase: string,
  repo: RepoState,
  rest: string[],
  reply: Reply,
): Promise<void> {
  if (repo.gitDir === undefined || rest.length !== 2) return reply(404, errorBody(404));
  const context = {
    gitDir: repo.gitDir,
    webUrl: `${apiBase.replace(/\/api\/v3$/, '')}/${repo.fullName}`,
    apiUrl: `${apiBase}/repos/${repo.fullName}`,
  };
  const target = rest[1] ?? '';
  let body: Record<string, unknown> | undefined;
  if (rest[0] === 'commits') body = await githubCommit(context, target);
  else {
    const [base = '', head = ''] = target.split('...');
    const { page, perPage } = pageParams(url, 250);
    body = await githubCompare(context, base, head, page, perPage);
  }
  if (body === undefined)
    return reply(404, {
      message: 'No commit found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
  reply(200, body);
}

function linkHeader(
  path: string,
  perPage: number,
  slice: { page: number; totalPages: number; next?: number | undefined; prev?: number | undefined },
): string | undefined {
  const at = (page: number) => `<${path}?per_page=${perPage}&page=${page}>`;
  const links: string[] = [];
  if (slice.prev !== undefined) links.push(`${at(slice.prev)}; rel="prev"`);
  if (slice.next !== undefined)
    links.push(`${at(slice.next)}; rel="next"`, `${at(slice.totalPages)}; rel="last"`);
  if (slice.prev !== undefined) links.push(`${at(1)}; rel="first"`);
  return links.length > 0 ? links.join(', ') : undefined;
}

function pullBody(pull: FakePull, repo: RepoState, apiBase: string): Record<string, unknown> {
  const web = apiBase.replace(/\/api\/v3$/, '');
  const side = (fullName: string | null) =>
    fullName === null
      ? null
      : {
          full_name: fullName,
          name: fullName.split('/')[1],
          clone_url: `${web}/${fullName}.git`,
          html_url: `${web}/${fullName}`,
          fork: fullName !== repo.fullName,
        };
  const user = pull.user ?? 'octocat';
  return {
    url: `${apiBase}/repos/${repo.fullName}/pulls/${pull.number}`,
    id: 5000 + pull.number,
    html_url: `${web}/${repo.fullName}/pull/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title ?? `Pull ${pull.number}`,
    user: { login: user, id: 1, type: 'User' },
    body: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    closed_at: pull.state === 'closed' ? '2026-01-02T00:00:00Z' : null,
    merged_at: pull.merged ? '2026-01-02T00:00:00Z' : null,
    merge_commit_sha: null,
    draft: pull.draft ?? false,
    head: {
      label: `${user}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      user: { login: user },
      repo: side(pull.fork === undefined ? repo.fullName : pull.fork),
    },
    base: {
      label: `${repo.fullName.split('/')[0]}:${pull.baseRef}`,
      ref: pull.baseRef,
      sha: pull.baseSha ?? repo.branches.get(pull.baseRef) ?? '0'.repeat(40),
      repo: side(repo.fullName),
    },
  };
}

function repositoryBody(repo: RepoState, apiBase: string): Record<string, unknown> {
  const [owner = '', name = ''] = repo.fullName.split('/');
  const web = apiBase.replace(/\/api\/v3$/, '');
  return {
    id: repo.id,
    node_id: Buffer.from(`Repository:${repo.id}`).toString('base64'),
    name,
    full_name: repo.fullName,
    private: repo.private ?? false,
    owner: { login: owner, id: 1, type: 'Organization', url: `${apiBase}/users/${owner}` },
    html_url: `${web}/${repo.fullName}`,
    url: `${apiBase}/repos/${repo.fullName}`,
    clone_url: `${web}/${repo.fullName}.git`,
    default_branch:
      repo.defaultBranch ??
      (repo.branches.has('main') ? 'main' : ([...repo.branches.keys()][0] ?? 'main')),
  };
}

function errorBody(status: number): Record<string, string> {
  const message =
    status === 401
      ? 'Bad credentials'
      : status === 404
        ? 'Not Found'
        : status >= 500
          ? 'Server Error'
          : 'Error';
  return { message, documentation_url: 'https://docs.github.com/rest', status: String(status) };
}
