import type { CostMeter } from './cost-meter.js';
import type { PushChange, PushDetails } from '../events/push-details.js';
import type { GitClient, ListRefsOptions, PushDetailsOptions } from './git-client.js';
import type { ListPullRequestsOptions, PullRequestListing } from './pull-request-listing.js';
import type {
  DiscoverySource,
  ListOwnerRepositoriesOptions,
  OwnerRepositoryListing,
} from './owner-repository-listing.js';
import type { PollBudget } from './poll-budget.js';

/**
 * What the fallback policy hands a provider client besides the public options: the time left
 * for this attempt and the meter that keeps counting across API attempt and fallback. Both are
 * optional, so each provider client is a complete GitClient on its own too.
 */
export interface ProviderListOptions extends ListRefsOptions {
  readonly budget?: PollBudget;
  readonly meter?: CostMeter;
}

export interface ProviderClient extends GitClient {
  listRefs(
    repo: Parameters<GitClient['listRefs']>[0],
    options: ProviderListOptions,
  ): ReturnType<GitClient['listRefs']>;
  /** Optional capability: the repository's pull (merge) requests (see PullRequestListing). */
  listPullRequests?(
    repo: Parameters<GitClient['listRefs']>[0],
    options: ListPullRequestsOptions,
  ): Promise<PullRequestListing>;
  /**
   * Optional capability: what the host's API tells about a ref change beyond its shas (see
   * PushDetails). Never throws: what could not be read is named in `missing`.
   */
  pushDetails?(
    repo: Parameters<GitClient['listRefs']>[0],
    change: PushChange,
    options: PushDetailsOptions,
  ): Promise<PushDetails>;
  /** Optional capability: every repository of an owner, for discovery (GitHub, GitLab). */
  listOwnerRepositories?(
    source: DiscoverySource,
    options: ListOwnerRepositoriesOptions,
  ): Promise<OwnerRepositoryListing>;
}
