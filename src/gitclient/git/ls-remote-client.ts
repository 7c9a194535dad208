import pRetry from 'p-retry';
import type { Provider, RepositoryConfig } from '../../config/config-types.js';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import { CostMeter } from '../cost-meter.js';
import type { RefListing } from '../git-client.js';
import { PollBudget } from '../poll-budget.js';
import type { ProviderClient, ProviderListOptions } from '../provider-client.js';
import { buildGitInvocation, CREDENTIAL_ENV_MIN_GIT } from './git-credential-env.js';
import { GitVersionProbe } from './git-version-probe.js';
import { mapGitError } from './map-git-error.js';
import { gitVersionAtLeast } from './parse-git-version.js';
import { parseLsRemote, parsePullRequestRefs } from './parse-ls-remote.js';
import type { PullRequestFacts } from '../../events/change-event.js';
import type { ListPullRequestsOptions, PullRequestListing } from '../pull-request-listing.js';
import { runGit } from './run-git.js';

export interface LsRemoteClientOptions {
  readonly log: Logger;
  /** Retries of a run that failed for a transient reason (network, 5xx): polling.retry_attempts. */
  readonly retryAttempts: number;
  readonly retryBackoffMs: number;
  /** Environment the git child starts from (tests inject one); defaults to process.env. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** The git to run: a name looked up on PATH, or a path (tests point it at a fake); `git`. */
  readonly gitBinary?: string;
  /**
   * Tells whether git is new enough for credentials; share one per process so git is asked
   * once. Defaults to a probe of this client's own (asked on its first credentialed run).
   */
  readonly gitVersion?: GitVersionProbe;
}

/** The refs the heads of pull (merge) requests live under, GitHub's and GitLab's. */
const PULL_REQUEST_PATTERNS = ['refs/pull/*/head', 'refs/merge-requests/*/head'];

/** The Basic-auth username each forge accepts together with a token as password. */
const TOKEN_USERNAME: Readonly<Record<Provider, string>> = {
  github: 'x-access-token',
  gitlab: 'oauth2',
  git: 'git',
};

/**
 * Lists refs with `git ls-remote --heads [--tags] <url>`: any http(s), ssh or file URL. Also the
 * fallback of the API clients, with the same token. The token reaches git through its
 * environment only (see buildGitInvocation), never argv or the URL.
 */
export class LsRemoteClient implements ProviderClient {
  private readonly gitVersion: GitVersionProbe;

  constructor(private readonly options: LsRemoteClientOptions) {
    this.gitVersion =
      options.gitVersion ??
      new GitVersionProbe({
        log: options.log,
        ...(options.gitBinary === undefined ? {} : { gitBinary: options.gitBinary }),
        ...(options.baseEnv === undefined ? {} : { env: options.baseEnv }),
      });
  }

  async listRefs(repo: RepositoryConfig, options: ProviderListOptions): Promise<RefListing> {
    const meter = options.meter ?? new CostMeter();
    const select = ['--heads', ...(options.includeTags ? ['--tags'] : [])];
    const stdout = await this.lsRemote(repo, select, [], options, meter);
    const refs = parseLsRemote(stdout, options.includeTags);
    return { refs, unchanged: false, via: 'ls-remote', cost: meter.snapshot() };
  }

  /**
   * The heads of pull (merge) requests as refs tell them (`refs/pull/<n>/head` on GitHub,
   * `refs/merge-requests/<n>/head` on GitLab): open or not, without titles or states. Hosts keep
   * these refs after a request is closed, so the listing is never `complete`.
   */
  async listPullRequests(
    repo: RepositoryConfig,
    options: ListPullRequestsOptions,
  ): Promise<PullRequestListing> {
    const meter = options.meter ?? new CostMeter();
    const stdout = await this.lsRemote(repo, [], PULL_REQUEST_PATTERNS, options, meter);
    const open = new Map<number, PullRequestFacts>();
    for (const [number, sha] of parsePullRequestRefs(stdout)) {
      open.set(number, { number, state: 'open', known: 'ref', head: { sha } });
    }
    return { open, closed: new Map(), complete: false, via: 'ls-remote', cost: meter.snapshot() };
  }

  /** Runs `git ls-remote <select> -- <url> <patterns>` with retries; its stdout. */
  private async lsRemote(
    repo: RepositoryConfig,
    select: readonly string[],
    patterns: readonly string[],
    options: { readonly signal: AbortSignal; readonly budget?: PollBudget },
    meter: CostMeter,
  ): Promise<string> {
    const budget = options.budget ?? PollBudget.unbounded(options.signal);
    const invocation = buildGitInvocation(
      repo.url,
      repo.token ? { username: TOKEN_USERNAME[repo.provider], token: repo.token } : undefined,
      this.options.baseEnv,
    );
    if (invocation.carriesCredentials) await this.requireCredentialSupport(repo);
    const args = ['ls-remote', ...select, '--', invocation.url, ...patterns];
    const context = { repo: repo.name, secrets: invocation.secrets };
    const startedAt = Date.now();
    const attempt = async (): Promise<string> => {
      meter.requests += 1;
      const result = await runGit({
        args,
        env: invocation.env,
        signal: budget.signal,
        ...(this.options.gitBinary === undefined ? {} : { gitBinary: this.options.gitBinary }),
      });
      if (result.ok) return result.stdout;
      if (result.failure.kind === 'aborted') {
        if (budget.cancelled)
          throw budget.abortError(`git ls-remote for repository ${repo.name}`, 'git-timeout');
        throw mapGitError({ kind: 'timeout', timeoutMs: Date.now() - startedAt }, context);
      }
      throw mapGitError(result.failure, context);
    };
    return pRetry(attempt, {
      retries: this.options.retryAttempts,
      minTimeout: this.options.retryBackoffMs,
      factor: 2,
      signal: budget.signal,
      shouldRetry: ({ error }) =>
        error instanceof ReposentryError &&
        error.code === 'git-command-failed' &&
        error.retryable &&
        budget.remainingMs() > this.options.retryBackoffMs,
      onFailedAttempt: ({ error, retriesLeft }) => {
        if (retriesLeft > 0 && error instanceof ReposentryError && error.retryable) {
          this.options.log.debug('git ls-remote failed, retrying', {
            repo: repo.name,
            code: error.code,
          });
        }
      },
    }).catch((err: unknown) => {
      if (err instanceof ReposentryError) throw err;
      if (budget.cancelled)
        throw budget.abortError(`git ls-remote for repository ${repo.name}`, 'git-timeout');
      throw mapGitError({ kind: 'timeout', timeoutMs: Date.now() - startedAt }, context);
    });
  }

  /**
   * git older than 2.31 ignores GIT_CONFIG_COUNT and would list the repository without the
   * token: anonymously, or failing as if the token were wrong. Refuse to run such a git with
   * credentials. When git does not tell its version, it is given the benefit of the doubt.
   */
  private async requireCredentialSupport(repo: RepositoryConfig): Promise<void> {
    const version = await this.gitVersion.version();
    if (version === undefined || gitVersionAtLeast(version, CREDENTIAL_ENV_MIN_GIT)) return;
    const min = CREDENTIAL_ENV_MIN_GIT;
    throw new ReposentryError(
      'git-command-failed',
      `git ls-remote for repository ${repo.name}: git ${version.major}.${version.minor} is too old to pass credentials safely (it ignores the GIT_CONFIG_* environment that carries them); git ${min.major}.${min.minor} or newer is needed`,
    );
  }
}
