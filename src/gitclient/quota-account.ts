import type { RepositoryConfig } from '../config/config-types.js';
import { credentialId } from './credential-id.js';
import { resolveGithubLocation } from './github/github-location.js';
import { resolveGitlabLocation } from './gitlab/gitlab-location.js';

/** The API account a repository's polls spend: its provider, API host and token. */
export interface QuotaAccount {
  readonly provider: 'github' | 'gitlab';
  readonly host: string;
  /** credentialId of the token (never the token). */
  readonly account: string;
}

/** The account of a GitHub or GitLab repository; undefined for `git` (no API quota). */
export function quotaAccountOf(repo: RepositoryConfig): QuotaAccount | undefined {
  if (repo.provider === 'git') return undefined;
  try {
    const host =
      repo.provider === 'github'
        ? resolveGithubLocation(repo).apiHost
        : resolveGitlabLocation(repo).apiHost;
    return { provider: repo.provider, host, account: credentialId(repo.token) };
  } catch {
    return undefined;
  }
}

/** One string per account, for maps: `provider host account`. */
export function quotaAccountKey(account: QuotaAccount): string {
  return `${account.provider} ${account.host} ${account.account}`;
}
