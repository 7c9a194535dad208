/**
 * The project lists of GitLab groups, for the loopback GitLab (fake-gitlab.ts):
 *
 *   GET /api/v4/groups/:id/projects   `:id` numeric or URL-encoded full path (`group%2Fsub`)
 *
 * Only the group's own projects unless `include_subgroups=true`; projects shared into the group
 * from elsewhere too unless `with_shared=false` (GitLab's default is true); `archived` true/false
 * filters, absent lists both; `order_by` id|path|name|created_at (default created_at) and `sort`
 * asc|desc (default desc). Paged like GitLab (X-Page, X-Per-Page, X-Next-Page, X-Prev-Page,
 * X-Total, X-Total-Pages, Link). A group exists once `setGroupProjects` named it or a project
 * lives in it; else 404 "404 Group Not Found". Entries in GitLab's project shape.
 */
import { gitlabPage } from './fake-forge.js';

/** A project as a test describes it; served in GitLab's shape. */
export interface FakeGroupProject {
  /** Full path: `group/sub/app`. */
  readonly path: string;
  readonly topics?: readonly string[];
  readonly archived?: boolean;
  /** Full path of the project it was forked from. */
  readonly forkedFrom?: string;
  readonly visibility?: 'private' | 'internal' | 'public';
  /** Default `main`; null for an empty project. */
  readonly defaultBranch?: string | null;
  /** Other groups the project is shared with. */
  readonly sharedWith?: readonly string[];
  /** Answer as GitLab before 14.5: `tag_list` and no `topics`. */
  readonly beforeTopics?: boolean;
}

interface Listed extends FakeGroupProject {
  readonly id: number;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export class GitlabGroups {
  private readonly listed = new Map<string, Listed>();
  private readonly groups = new Map<string, number>();
  private nextId = 1;

  /** @param projectId the id a project of the refs model already has, if any. */
  constructor(private readonly projectId: (path: string) => number | undefined) {}

  /**
   * Makes `group` exist and replaces the projects under it (its subgroups' included) with
   * `projects`, each of which must lie under it. A path it had keeps its id.
   */
  setGroupProjects(group: string, projects: readonly FakeGroupProject[]): void {
    const prefix = `${group.toLowerCase()}/`;
    const before = new Map(this.listed);
    for (const key of [...this.listed.keys()]) if (key.startsWith(prefix)) this.listed.delete(key);
    this.groupId(group);
    for (const project of projects) {
      if (!project.path.toLowerCase().startsWith(prefix)) {
        throw new Error(`setGroupProjects: ${project.path} is not under ${group}`);
      }
      const key = project.path.toLowerCase();
      const id = before.get(key)?.id ?? this.projectId(project.path) ?? this.take();
      this.listed.set(key, { ...project, id });
      const segments = project.path.split('/');
      for (let i = 1; i < segments.length; i += 1) this.groupId(segments.slice(0, i).join('/'));
    }
  }

  /** Answers GET /api/v4/groups/:id/projects; false for any other path. */
  serve(url: URL, base: string, reply: Reply): boolean {
    const match = /^\/api\/v4\/groups\/([^/]+)\/projects\/?$/.exec(url.pathname);
    if (!match?.[1]) return false;
    const asked = decodeURIComponent(match[1]);
    const group = /^\d+$/.test(asked)
      ? [...this.groups].find(([, id]) => String(id) === asked)?.[0]
      : this.groups.has(asked.toLowerCase())
        ? asked.toLowerCase()
        : undefined;
    if (group === undefined) {
      reply(404, { message: '404 Group Not Found' });
      return true;
    }
    const query = url.searchParams;
    const subgroups = query.get('include_subgroups') === 'true';
    const shared = query.get('with_shared') !== 'false';
    const archived = query.get('archived');
    const orderBy = query.get('order_by') ?? 'created_at';
    const sort = query.get('sort') ?? 'desc';
    const items = [...this.listed.values()]
      .filter((p) => {
        const namespace = p.path.toLowerCase().split('/').slice(0, -1).join('/');
        const own = subgroups ? `${namespace}/`.startsWith(`${group}/`) : namespace === group;
        const sharedIn = shared && (p.sharedWith ?? []).some((g) => g.toLowerCase() === group);
        return own || sharedIn;
      })
      .filter((p) => archived === null || (p.archived ?? false) === (archived === 'true'))
      .sort((a, b) => {
        const order =
          orderBy === 'path' || orderBy === 'name'
            ? (a.path.split('/').at(-1) ?? '').localeCompare(b.path.split('/').at(-1) ?? '')
            : a.id - b.id;
        return sort === 'asc' ? order : -order;
      })
      .map((p) => projectEntry(p, base, this.groupId(p.path.split('/').slice(0, -1).join('/'))));
    const paged = gitlabPage(items, url, base);
    reply(200, paged.items, paged.headers);
    return true;
  }

  private groupId(path: string): number {
    const key = path.toLowerCase();
    const known = this.groups.get(key);
    if (known !== undefined) return known;
    const id = 900 + this.groups.size;
    this.groups.set(key, id);
    return id;
  }

  private take(): number {
    const id = 50_000 + this.nextId;
    this.nextId += 1;
    return id;
  }
}

/** A project as GET /groups/:id/projects lists it (not `simple`). */
function projectEntry(p: Listed, base: string, namespaceId: number): Record<string, unknown> {
  const segments = p.path.split('/');
  const name = segments.at(-1) ?? p.path;
  const namespace = segments.slice(0, -1).join('/');
  const at = new Date(Date.UTC(2021, 0, 1) + p.id * 60_000).toISOString();
  const topics = [...(p.topics ?? [])];
  const forkedFrom = p.forkedFrom;
  return {
    id: p.id,
    description: null,
    name,
    name_with_namespace: segments.join(' / '),
    path: name,
    path_with_namespace: p.path,
    created_at: at,
    default_branch: p.defaultBranch === undefined ? 'main' : p.defaultBranch,
    tag_list: topics,
    ...(p.beforeTopics ? {} : { topics }),
    ssh_url_to_repo: `git@${new URL(base).host}:${p.path}.git`,
    http_url_to_repo: `${base}/${p.path}.git`,
    web_url: `${base}/${p.path}`,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: at,
    namespace: {
      id: namespaceId,
      name: segments.at(-2) ?? namespace,
      path: segments.at(-2) ?? namespace,
      kind: 'group',
      full_path: namespace,
      parent_id: null,
      avatar_url: null,
      web_url: `${base}/groups/${namespace}`,
    },
    container_registry_image_prefix: `registry.example.com/${p.path}`,
    _links: { self: `${base}/api/v4/projects/${p.id}` },
    packages_enabled: true,
    empty_repo: p.defaultBranch === null,
    archived: p.archived ?? false,
    visibility: p.visibility ?? 'private',
    ...(forkedFrom === undefined
      ? {}
      : {
          forked_from_project: {
            id: 1,
            name: forkedFrom.split('/').at(-1),
            path: forkedFrom.split('/').at(-1),
            path_with_namespace: forkedFrom,
            http_url_to_repo: `${base}/${forkedFrom}.git`,
            web_url: `${base}/${forkedFrom}`,
          },
        }),
    issues_enabled: true,
    merge_requests_enabled: true,
    creator_id: 1,
    import_status: 'none',
    open_issues_count: 0,
  };
}
