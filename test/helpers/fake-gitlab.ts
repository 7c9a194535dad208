/**
 * A loopback server answering like the GitLab REST API v4 for what RepoSentry reads, with the
 * JSON shapes of the real endpoints:
 *
 *   GET /api/v4/groups/:id/projects                  [project] of the group (and subgroups with
 *                                                    include_subgroups), given by `setGroupProjects`
 *                                                    (gitlab-group-api.ts)
 *   GET /api/v4/projects/:id                         project (`:id` numeric or URL-encoded path)
 *   GET /api/v4/projects/:id/repository/branches     [{name, commit:{id, short_id, title, ...}, merged, protected, default, web_url, ...}]
 *   GET /api/v4/projects/:id/repository/tags         [{name, message, target, commit:{id, ...}, release, protected}]
 *   GET /api/v4/projects/:id/repository/commits/:sha      a commit     } from the bare repository
 *   GET /api/v4/projects/:id/repository/compare?from&to   a comparison } given by `setGitDir`
 *   GET /api/v4/projects/:id/merge_requests/:iid   one merge request
 *   GET /api/v4/projects/:id/merge_requests?state&updated_after   merge requests given by
 *       `setMergeRequests`: [{id, iid, project_id, title, state, created_at, updated_at, merged_at,
 *       closed_at, target_branch, source_branch, source_project_id, target_project_id, author:{id,
 *       username, name, ...}, draft, work_in_progress, sha, merge_commit_sha, web_url, ...}], newest
 *       first; `state` opened|closed|merged|locked|all (default all), `updated_after` (ISO 8601)
 *       keeps those updated on or after it. Like GitLab's list, no `diff_refs`.
 *
 * Offset pagination (`page`, `per_page`: default 20, max 100) with X-Page, X-Per-Page,
 * X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages and Link headers; RateLimit-Limit /
 * -Observed / -Remaining / -Reset / -ResetTime on every answer (`resetForm` picks epoch seconds,
 * as gitlab.com sends, or an HTTP date for RateLimit-Reset); 429 with Retry-After while the quota
 * is exhausted or a rate-limit fault is set. Subgroups work: `group/sub/project`.
 *
 *   const gl = await createFakeGitlab({ token: 'glpat-test' });
 *   gl.setProject('group/sub/app', await bareRepo.refs());
 *   gl.setMergeRequest('group/sub/app', { iid: 1, state: 'opened', sourceBranch: 'feat', sha, updatedAt });
 *   gl.fault({ kind: 'rate-limit', retryAfterSeconds: 2, times: 1 });
 *   gl.stats  // { requests, quotaRequests, notModified, byStatus }
 */
import { GitlabGroups, type FakeGroupProject } from './gitlab-group-api.js';
import {
  FaultSwitch,
  ForgeQuota,
  bearerOrToken,
  listenLoopback,
  newStats,
  gitlabPage,
  sendJson,
  splitRefs,
  type ForgeFault,
  type ForgeRepoRefs,
  type ForgeRequestRecord,
  type ForgeStats,
} from './fake-forge.js';
import { gitlabCommit, gitlabCompare } from './gitlab-commit-api.js';
import {
  gitlabMergeRequestBody,
  gitlabMergeRequestList,
  type FakeMergeRequest,
} from './gitlab-merge-request-api.js';

export interface FakeGitlabOptions {
  /** When set, requests must carry PRIVATE-TOKEN or `Authorization: Bearer`: else 401. */
  readonly token?: string;
  /** Requests per minute before 429 (default 2000). */
  readonly quotaLimit?: number;
  /** Form of RateLimit-Reset: epoch seconds (default) or an HTTP date. */
  readonly resetForm?: 'epoch' | 'http-date';
}

export interface FakeGitlab {
  /** Instance root: http://127.0.0.1:PORT (the API is under /api/v4). */
  readonly url: string;
  readonly quota: ForgeQuota;
  readonly stats: ForgeStats;
  readonly requests: readonly ForgeRequestRecord[];
  /** Creates or replaces a project's refs; returns its numeric id. */
  setProject(path: string, refs: ReadonlyMap<string, string> | ForgeRepoRefs): number;
  /** The bare repository commit and compare answers come from (else they are 404). */
  setGitDir(path: string, gitDir: string): void;
  /** What GET /projects/:id says of the project's visibility (default public). */
  setVisibility(path: string, visibility: 'private' | 'internal' | 'public'): void;
  /** Replaces the project's merge requests. */
  setMergeRequests(path: string, requests: readonly FakeMergeRequest[]): void;
  /** Adds a merge request, or replaces the one with its iid. */
  setMergeRequest(path: string, request: FakeMergeRequest): void;
  fault(fault: ForgeFault | undefined): void;
  resetStats(): void;
  close(): Promise<void>;
  /** Makes the group exist and replaces the projects under it (GET /groups/:id/projects). */
  setGroupProjects(group: string, projects: readonly FakeGroupProject[]): void;
}

interface Project extends ForgeRepoRefs {
  readonly id: number;
  readonly path: string;
  gitDir?: string;
  visibility?: 'private' | 'internal' | 'public';
  readonly mergeRequests: Map<number, FakeMergeRequest>;
}

export async function createFakeGitlab(options: FakeGitlabOptions = {}): Promise<FakeGitlab> {
  const projects = new Map<string, Project>();
  const quota = new ForgeQuota(options.quotaLimit ?? 2000, 60_000);
  const faults = new FaultSwitch();
  const requests: ForgeRequestRecord[] = [];
  let stats = newStats();
  const groups = new GitlabGroups((path) => projects.get(path.toLowerCase())?.id);

  const server = await listenLoopback((req, res, base) => {
    const url = new URL(req.url ?? '/', base);
    stats.requests += 1;
    const record = (status: number | 'hung'): void => {
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, status });
      if (typeof status === 'number') stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    };
    const fault = faults.take(url.pathname);
    if (fault?.kind === 'hang') return record('hung');
    const rateHeaders = (): Record<string, string> => {
      const resetDate = new Date(quota.resetEpochSeconds * 1000).toUTCString();
      return {
        'ratelimit-limit': String(quota.limit),
        'ratelimit-observed': String(quota.limit - quota.remaining),
        'ratelimit-remaining': String(quota.remaining),
        'ratelimit-reset':
          options.resetForm === 'http-date' ? resetDate : String(quota.resetEpochSeconds),
        'ratelimit-resettime': resetDate,
      };
    };
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (status !== 429) {
        quota.spend();
        stats.quotaRequests += 1;
      }
      record(status);
      sendJson(res, status, body, { ...rateHeaders(), ...headers });
    };
    if (quota.exhausted()) {
      const retryAfter = Math.max(0, quota.resetEpochSeconds - Math.floor(Date.now() / 1000));
      return reply(429, { message: 'Retry later' }, { 'retry-after': String(retryAfter) });
    }
    if (fault?.kind === 'rate-limit') {
      return reply(
        429,
        { message: 'Retry later' },
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    if (fault?.kind === 'status') return reply(fault.status, errorBody(fault.status));
    if (options.token !== undefined) {
      const given =
        (typeof req.headers['private-token'] === 'string'
          ? req.headers['private-token']
          : undefined) ?? bearerOrToken(req.headers.authorization);
      if (given !== options.token) return reply(401, { message: '401 Unauthorized' });
    }
    if (groups.serve(url, base, reply)) return;
    const commitMatch = /^\/api\/v4\/projects\/([^/]+)\/repository\/(commits\/[^/]+|compare)$/.exec(
      url.pathname,
    );
    if (commitMatch?.[1] && commitMatch[2]) {
      const found = findProject(projects, commitMatch[1]);
      if (found?.gitDir === undefined) return reply(404, { message: '404 Project Not Found' });
      const webUrl = `${base}/${found.path}`;
      const answer =
        commitMatch[2] === 'compare'
          ? gitlabCompare(
              found.gitDir,
              webUrl,
              url.searchParams.get('from') ?? '',
              url.searchParams.get('to') ?? '',
            )
          : gitlabCommit(found.gitDir, webUrl, commitMatch[2].slice('commits/'.length));
      void answer.then((body) =>
        body === undefined ? reply(404, { message: '404 Commit Not Found' }) : reply(200, body),
      );
      return;
    }
    const single = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)$/.exec(url.pathname);
    if (single?.[1] && single[2]) {
      const found = findProject(projects, single[1]);
      const mr = found?.mergeRequests.get(Number(single[2]));
      if (found === undefined || mr === undefined) return reply(404, { message: '404 Not found' });
      return reply(200, gitlabMergeRequestBody(found, mr, base));
    }
    const match =
      /^\/api\/v4\/projects\/([^/]+)(\/repository\/(branches|tags)|\/(merge_requests))?\/?$/.exec(
        url.pathname,
      );
    if (!match?.[1]) return reply(404, { error: '404 Not Found' });
    const project = findProject(projects, match[1]);
    if (project === undefined) return reply(404, { message: '404 Project Not Found' });
    if (match[4] !== undefined) {
      const listed = gitlabMergeRequestList(
        project,
        project.mergeRequests.values(),
        url.searchParams,
        base,
      );
      return 'error' in listed ? reply(400, { error: listed.error }) : sendPage(listed.items);
    }
    if (match[3] === undefined) return reply(200, projectBody(project, base));
    sendPage(match[3] === 'branches' ? branchItems(project, base) : tagItems(project));

    /** One page of `items` with GitLab's pagination headers; the page's links keep the query. */
    function sendPage(items: readonly unknown[]): void {
      const paged = gitlabPage(items, url, base);
      reply(200, paged.items, paged.headers);
    }
  });

  return {
    url: server.url,
    quota,
    get stats() {
      return stats;
    },
    requests,
    setProject(path, refs) {
      const split = refs instanceof Map ? splitRefs(refs) : (refs as ForgeRepoRefs);
      const existing = projects.get(path.toLowerCase());
      const project: Project = {
        id: existing?.id ?? 100 + projects.size,
        path,
        branches: new Map(split.branches),
        tags: new Map(split.tags),
        ...(existing?.gitDir ? { gitDir: existing.gitDir } : {}),
        ...(existing?.visibility ? { visibility: existing.visibility } : {}),
        mergeRequests: existing?.mergeRequests ?? new Map(),
      };
      projects.set(path.toLowerCase(), project);
      return project.id;
    },
    setGitDir(path, gitDir) {
      const project = projects.get(path.toLowerCase());
      if (project === undefined) throw new Error(`setGitDir: no project ${path}`);
      project.gitDir = gitDir;
    },
    setVisibility(path, visibility) {
      const project = projects.get(path.toLowerCase());
      if (project === undefined) throw new Error(`setVisibility: no project ${path}`);
      project.visibility = visibility;
    },
    setMergeRequests(path, requests) {
      const project = projects.get(path.toLowerCase());
      if (project === undefined) throw new Error(`setMergeRequests: no project ${path}`);
      project.mergeRequests.clear();
      for (const request of requests) project.mergeRequests.set(request.iid, request);
    },
    setMergeRequest(path, request) {
      const project = projects.get(path.toLowerCase());
      if (project === undefined) throw new Error(`setMergeRequest: no project ${path}`);
      project.mergeRequests.set(request.iid, request);
    },
    fault: (fault) => faults.set(fault),
    resetStats() {
      stats = newStats();
      requests.length = 0;
    },
    close: () => server.close(),
    setGroupProjects: (group, listed) => groups.setGroupProjects(group, listed),
  };
}

/** A project by numeric id or URL-encoded path. */
function findProject(projects: Map<string, Project>, encoded: string): Project | undefined {
  const key = decodeURIComponent(encoded);
  return /^\d+$/.test(key)
    ? [...projects.values()].find((p) => String(p.id) === key)
    : projects.get(key.toLowerCase());
}

function commitBody(sha: string, base: string, path: string): Record<string, unknown> {
  return {
    id: sha,
    short_id: sha.slice(0, 8),
    created_at: '2024-01-02T03:04:05.000+00:00',
    parent_ids: [],
    title: 'Commit',
    message: 'Commit\n',
    author_name: 'RepoSentry Test',
    author_email: 'test@reposentry.invalid',
    authored_date: '2024-01-02T03:04:05.000+00:00',
    committer_name: 'RepoSentry Test',
    committer_email: 'test@reposentry.invalid',
    committed_date: '2024-01-02T03:04:05.000+00:00',
    trailers: {},
    web_url: `${base}/${path}/-/commit/${sha}`,
  };
}

function branchItems(project: Project, base: string): unknown[] {
  return [...project.branches.keys()].sort().map((name) => ({
    name,
    commit: commitBody(project.branches.get(name) ?? '', base, project.path),
    merged: false,
    protected: name === 'main',
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    default: name === 'main',
    web_url: `${base}/${project.path}/-/tree/${encodeURIComponent(name)}`,
  }));
}

function tagItems(project: Project): unknown[] {
  return [...project.tags.keys()]
    .sort()
    .reverse()
    .map((name) => {
      const sha = project.tags.get(name) ?? '';
      return {
        name,
        message: '',
        target: sha,
        commit: commitBody(sha, '', project.path),
        release: null,
        protected: false,
        created_at: null,
      };
    });
}

function projectBody(project: Project, base: string): Record<string, unknown> {
  const segments = project.path.split('/');
  const name = segments.at(-1) ?? project.path;
  const namespace = segments.slice(0, -1).join('/');
  return {
    id: project.id,
    description: null,
    name,
    name_with_namespace: segments.join(' / '),
    path: name,
    path_with_namespace: project.path,
    created_at: '2024-01-02T03:04:05.000Z',
    default_branch: project.branches.has('main')
      ? 'main'
      : ([...project.branches.keys()][0] ?? null),
    visibility: project.visibility ?? 'public',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@127.0.0.1:${project.path}.git`,
    http_url_to_repo: `${base}/${project.path}.git`,
    web_url: `${base}/${project.path}`,
    namespace: { id: 1, name: namespace, path: namespace, kind: 'group', full_path: namespace },
  };
}

function errorBody(status: number): Record<string, string> {
  if (status === 401) return { message: '401 Unauthorized' };
  if (status === 404) return { message: '404 Not Found' };
  return { message: `${status} Internal Server Error` };
}
