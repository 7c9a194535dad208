import { Groups } from '@gitbeaker/rest';
import { ReposentryError } from '../../errors/reposentry-error.js';
import { byPath, type DiscoveredRepository } from '../discovered-repository.js';
import type { GitlabGroupLocation } from './gitlab-group-location.js';
import { parseGitlabGroupProject } from './gitlab-project-shapes.js';

type GroupsOptions = NonNullable<ConstructorParameters<typeof Groups>[0]>;

export interface GitlabGroupReader {
  readonly location: GitlabGroupLocation;
  /** gitbeaker's resource options, over our requester (gate, retries, cost, mapped errors). */
  readonly resource: GroupsOptions;
  /** Runs one request, waiting out a rate limit when that fits the time left. */
  withWaits(request: () => Promise<unknown>): Promise<unknown>;
}

const PER_PAGE = 100;
/** 100,000 projects; more pages than that means a bad answer. */
const MAX_PAGES = 1000;

/**
 * Lists every project of a GitLab group and its subgroups: GET /groups/:path/projects with
 * include_subgroups=true, with_shared=false (projects shared into the group from elsewhere are
 * not its own), archived ones included (no `archived` filter), oldest first (order_by=id,
 * sort=asc, so a new project lands on the last page), following X-Next-Page. GitLab has no
 * conditional requests for this list: every page costs a request each time.
 */
export async function readGitlabGroupProjects(
  reader: GitlabGroupReader,
): Promise<DiscoveredRepository[]> {
  const groups = new Groups(reader.resource);
  const { groupPath } = reader.location;
  const projects: DiscoveredRepository[] = [];
  let page = 1;
  for (let count = 0; count < MAX_PAGES; count += 1) {
    const answer = await reader.withWaits(() =>
      groups.allProjects(groupPath, {
        includeSubgroups: true,
        withShared: false,
        orderBy: 'id',
        sort: 'asc',
        perPage: PER_PAGE,
        page,
        showExpanded: true,
      }),
    );
    const parsed = readProjectPage(answer);
    if (parsed === undefined) throw badResponse(reader, 'malformed project page');
    projects.push(...parsed.projects);
    if (parsed.next === null || parsed.next <= page) return byPath(projects);
    page = parsed.next;
  }
  throw badResponse(reader, `more than ${MAX_PAGES} pages`);
}

/** gitbeaker's expanded answer `{data: [project, ...], paginationInfo: {next}}`. */
function readProjectPage(
  answer: unknown,
): { projects: DiscoveredRepository[]; next: number | null } | undefined {
  const { data, paginationInfo } = (answer ?? {}) as {
    data?: unknown;
    paginationInfo?: { next?: unknown };
  };
  if (!Array.isArray(data)) return undefined;
  const projects: DiscoveredRepository[] = [];
  for (const item of data as unknown[]) {
    const project = parseGitlabGroupProject(item);
    if (project === undefined) return undefined;
    projects.push(project);
  }
  const next = paginationInfo?.next;
  return { projects, next: typeof next === 'number' && Number.isFinite(next) ? next : null };
}

function badResponse(reader: GitlabGroupReader, what: string): ReposentryError {
  const { apiHost, subject } = reader.location;
  return new ReposentryError('forge-bad-response', `GitLab API ${apiHost} for ${subject}: ${what}`);
}
