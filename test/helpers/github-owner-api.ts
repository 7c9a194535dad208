/**
 * The repository lists of GitHub organizations and users, for the loopback GitHub
 * (fake-github.ts):
 *
 *   GET .../orgs/{org}/repos    type=all|public|private|forks|sources|member   (404 for a user)
 *   GET .../users/{user}/repos  type=all|owner|member; public repositories only, as GitHub lists
 *                               them (an organization's public ones too)
 *
 * `sort` created|updated|pushed|full_name (default: created for organizations, full_name for
 * users) and `direction` (default asc for full_name, else desc), paged by `per_page`/`page`
 * with a Link header pointing at /organizations/{id}/repos or /user/{id}/repos, a weak ETag on
 * every page and a 304 to a matching If-None-Match. Entries in GitHub's repository shape.
 */
import { pageParams, paginate, weakEtag } from './fake-forge.js';

/** A repository as a test describes it; served in GitHub's shape. */
export interface FakeOwnerRepository {
  /** The name without the owner. */
  readonly name: string;
  readonly private?: boolean;
  /** GitHub Enterprise: `internal` (then `private` is true, as GitHub says). */
  readonly visibility?: 'public' | 'private' | 'internal';
  readonly fork?: boolean;
  readonly archived?: boolean;
  readonly topics?: readonly string[];
  /** Default `main`. */
  readonly defaultBranch?: string;
}

interface Owner {
  readonly login: string;
  readonly id: number;
  readonly type: 'Organization' | 'User';
  /** By lower-case name, in creation order. */
  repos: Map<string, FakeOwnerRepository & { readonly id: number; readonly created: number }>;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export class GithubOwners {
  private readonly owners = new Map<string, Owner>();
  private nextId = 1;

  /** Creates or replaces the owner's repositories; a name it had keeps its id and age. */
  set(type: Owner['type'], login: string, repositories: readonly FakeOwnerRepository[]): void {
    const existing = this.owners.get(login.toLowerCase());
    const owner: Owner = {
      login,
      type,
      id: existing?.id ?? this.take(),
      repos: new Map(),
    };
    for (const repository of repositories) {
      const old = existing?.repos.get(repository.name.toLowerCase());
      const id = old?.id ?? this.take();
      owner.repos.set(repository.name.toLowerCase(), {
        ...repository,
        id,
        created: old?.created ?? id,
      });
    }
    this.owners.set(login.toLowerCase(), owner);
  }

  /** Answers GET {prefix}/orgs/{org}/repos and /users/{user}/repos; false for any other path. */
  serve(url: URL, apiBase: string, ifNoneMatch: string | undefined, reply: Reply): boolean {
    const match = /^(?:\/api\/v3)?\/(orgs|users)\/([^/]+)\/repos\/?$/.exec(url.pathname);
    if (!match?.[1] || !match[2]) return false;
    const kind = match[1];
    const owner = this.owners.get(decodeURIComponent(match[2]).toLowerCase());
    if (owner === undefined || (kind === 'orgs' && owner.type !== 'Organization')) {
      reply(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
      return true;
    }
    const type = url.searchParams.get('type') ?? (kind === 'orgs' ? 'all' : 'owner');
    const sort = url.searchParams.get('sort') ?? (kind === 'orgs' ? 'created' : 'full_name');
    const direction = url.searchParams.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
    const web = apiBase.replace(/\/api\/v3$/, '');
    const items = [...owner.repos.values()]
      .filter((r) => (kind === 'users' ? !isPrivate(r) : true))
      .filter((r) => typeMatches(type, r))
      .sort((a, b) => {
        const order =
          sort === 'full_name'
            ? a.name.toLowerCase().localeCompare(b.name.toLowerCase())
            : a.created - b.created;
        return direction === 'asc' ? order : -order;
      })
      .map((r) => repositoryEntry(owner, r, apiBase, web));
    const { page, perPage } = pageParams(url, 30);
    const slice = paginate(items, page, perPage);
    const etag = weakEtag(JSON.stringify(slice.items));
    const listPath = `${apiBase}/${kind === 'orgs' ? 'organizations' : 'user'}/${owner.id}/repos`;
    const link = linkHeader(listPath, url.searchParams, slice);
    const headers = {
      etag,
      ...(link ? { link } : {}),
      'cache-control': 'private, max-age=60, s-maxage=60',
    };
    if (ifNoneMatch === etag) reply(304, undefined, headers);
    else reply(200, slice.items, headers);
    return true;
  }

  private take(): number {
    const id = 7000 + this.nextId;
    this.nextId += 1;
    return id;
  }
}

function isPrivate(r: FakeOwnerRepository): boolean {
  return r.private === true || r.visibility === 'private' || r.visibility === 'internal';
}

function typeMatches(type: string, r: FakeOwnerRepository): boolean {
  switch (type) {
    case 'public':
      return !isPrivate(r);
    case 'private':
      return isPrivate(r);
    case 'forks':
      return r.fork === true;
    case 'sources':
      return r.fork !== true;
    default:
      return true;
  }
}

function linkHeader(
  path: string,
  query: URLSearchParams,
  slice: { totalPages: number; next?: number | undefined; prev?: number | undefined },
): string | undefined {
  const at = (page: number) => {
    const params = new URLSearchParams(query);
    params.set('page', String(page));
    return `<${path}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (slice.prev !== undefined) links.push(`${at(slice.prev)}; rel="prev"`);
  if (slice.next !== undefined)
    links.push(`${at(slice.next)}; rel="next"`, `${at(slice.totalPages)}; rel="last"`);
  if (slice.prev !== undefined) links.push(`${at(1)}; rel="first"`);
  return links.length > 0 ? links.join(', ') : undefined;
}

/** A "minimal repository" entry as the list endpoints return it. */
function repositoryEntry(
  owner: Owner,
  r: FakeOwnerRepository & { readonly id: number; readonly created: number },
  apiBase: string,
  web: string,
): Record<string, unknown> {
  const fullName = `${owner.login}/${r.name}`;
  const url = `${apiBase}/repos/${fullName}`;
  const at = new Date(Date.UTC(2020, 0, 1) + r.created * 60_000).toISOString().replace('.000', '');
  const visibility = r.visibility ?? (r.private ? 'private' : 'public');
  return {
    id: r.id,
    node_id: Buffer.from(`Repository:${r.id}`).toString('base64'),
    name: r.name,
    full_name: fullName,
    private: visibility !== 'public',
    owner: {
      login: owner.login,
      id: owner.id,
      type: owner.type,
      url: `${apiBase}/users/${owner.login}`,
      html_url: `${web}/${owner.login}`,
    },
    html_url: `${web}/${fullName}`,
    description: null,
    fork: r.fork ?? false,
    url,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    pulls_url: `${url}/pulls{/number}`,
    created_at: at,
    updated_at: at,
    pushed_at: at,
    git_url: `${web.replace(/^https?:/, 'git:')}/${fullName}.git`,
    ssh_url: `git@${new URL(web).host}:${fullName}.git`,
    clone_url: `${web}/${fullName}.git`,
    svn_url: `${web}/${fullName}`,
    homepage: null,
    size: 108,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    forks_count: 0,
    archived: r.archived ?? false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [...(r.topics ?? [])],
    visibility,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: r.defaultBranch ?? 'main',
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
  };
}
