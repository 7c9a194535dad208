export type {
  GitClient,
  ListRefsOptions,
  RateLimitSnapshot,
  RefCost,
  RefListing,
  RefSource,
} from './git-client.js';
export { REF_SOURCES, branchRef, tagRef } from './git-client.js';
export type { HttpCache, HttpCacheEntry } from './http-cache.js';
export { MemoryHttpCache, ReadThroughHttpCache } from './http-cache.js';
export { GitVersionProbe } from './git/git-version-probe.js';
export type { GitClientDeps, GitClientFactory, GitClientSet } from './create-git-clients.js';
export type { ListPullRequestsOptions, PullRequestListing } from './pull-request-listing.js';
export type { DiscoveredRepository, RepositoryVisibility } from './discovered-repository.js';
export { REPOSITORY_VISIBILITIES } from './discovered-repository.js';
export type {
  DiscoveryProvider,
  DiscoverySource,
  ListOwnerRepositoriesOptions,
  OwnerRepositoryListing,
} from './owner-repository-listing.js';
export { DISCOVERY_PROVIDERS, discoveryCacheKey } from './owner-repository-listing.js';
export type { DiscoveryFilter } from './filter-discovered.js';
export { filterDiscovered } from './filter-discovered.js';
export { GIT_CLIENT_FACTORIES, createGitClients } from './create-git-clients.js';
export { quotaAccountKey, quotaAccountOf, type QuotaAccount } from './quota-account.js';
