import type { Logger } from '../../logging/create-logger.js';
import type { PollBudget } from '../poll-budget.js';
import {
  parseGitlabSourceProject,
  type GitlabMergeRequest,
  type GitlabSourceProject,
} from './gitlab-merge-request-shapes.js';
import type { GitlabLocation } from './gitlab-location.js';
import { mapGitlabError } from './map-gitlab-error.js';

/** One listing's way to the projects its requests come from. */
export interface SourceProjectListing {
  readonly location: GitlabLocation;
  readonly repoName: string;
  readonly budget: PollBudget;
  /** GET /projects/:id through the listing's gate and meter. */
  readonly fetchProject: (id: number) => Promise<unknown>;
}

/**
 * The projects merge requests come from. A request of the watched project needs no request: its
 * path is the configured one. A fork's project is read once (GET /projects/:id) and kept per API
 * for `ttlMs`; one that cannot be read (a private fork the token cannot see, a failing API) is
 * left out, asked once per listing and logged, rather than failing the listing. Only running out
 * of time fails it.
 */
export class GitlabSourceProjects {
  private readonly known = new Map<string, { project: GitlabSourceProject; readAt: number }>();

  constructor(
    private readonly log: Logger,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The source project of each request of one listing. */
  forListing(
    listing: SourceProjectListing,
  ): (mr: GitlabMergeRequest) => Promise<GitlabSourceProject | undefined> {
    const { location } = listing;
    const self: GitlabSourceProject = {
      path: location.projectPath,
      cloneUrl: `${location.instanceUrl}/${location.projectPath}.git`,
    };
    const unreadable = new Set<number>();
    return async (mr) => {
      if (mr.sourceProjectId === mr.targetProjectId) return self;
      // A deleted fork: nothing to read.
      if (mr.sourceProjectId === null || unreadable.has(mr.sourceProjectId)) return undefined;
      const project = await this.read(mr.sourceProjectId, listing);
      if (project === undefined) unreadable.add(mr.sourceProjectId);
      return project;
    };
  }

  private async read(
    id: number,
    listing: SourceProjectListing,
  ): Promise<GitlabSourceProject | undefined> {
    const { location, repoName, budget } = listing;
    const key = `${location.apiBaseUrl}\n${id}`;
    const known = this.known.get(key);
    if (known && this.now() - known.readAt < this.ttlMs) return known.project;
    let project: GitlabSourceProject | undefined;
    let code = 'forge-bad-response';
    try {
      project = parseGitlabSourceProject(await listing.fetchProject(id));
    } catch (err) {
      if (budget.signal.aborted) throw err;
      code = mapGitlabError(err, { repo: repoName, apiHost: location.apiHost }).code;
    }
    if (project === undefined) {
      this.log.warn('Fork project lookup failed', { repo: repoName, sourceProjectId: id, code });
      return undefined;
    }
    this.known.set(key, { project, readAt: this.now() });
    return project;
  }
}
