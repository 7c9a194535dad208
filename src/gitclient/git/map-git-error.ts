import { ReposentryError } from '../../errors/reposentry-error.js';
import { redactCredentials } from '../../logging/redact.js';

/** How a git run failed, as seen by the runner. */
export type GitFailure =
  | { readonly kind: 'exit'; readonly exitCode: number | null; readonly stderr: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'spawn'; readonly errno?: string };

export interface GitErrorContext {
  readonly repo: string;
  /** Removed from any quoted git output, whatever git printed. */
  readonly secrets: readonly string[];
}

const AUTH =
  /authentication failed|could not read (username|password)|terminal prompts disabled|http basic: access denied|returned error: 40[13]|permission denied \(publickey|invalid credentials|access denied/i;
const NOT_FOUND =
  /repository .*not found|not found|does not appear to be a git repository|returned error: 404|does not exist|no such file or directory/i;
const TRANSIENT =
  /could not resolve host|connection refused|connection timed out|timed out|failed to connect|returned error: 5\d\d|early eof|unexpected disconnect|rpc failed|connection reset|temporarily unavailable|ssl_error|gnutls/i;

/** Translates a failed `git` run into a ReposentryError; quoted stderr is scrubbed and capped. */
export function mapGitError(failure: GitFailure, context: GitErrorContext): ReposentryError {
  const where = `git ls-remote for repository ${context.repo}`;
  if (failure.kind === 'timeout') {
    return new ReposentryError('git-timeout', `${where} timed out after ${failure.timeoutMs}ms`, {
      retryable: true,
    });
  }
  if (failure.kind === 'spawn') {
    const why = failure.errno === 'ENOENT' ? 'git is not installed' : 'git could not be started';
    return new ReposentryError('git-command-failed', `${where} failed: ${why}`);
  }
  const detail = summarize(failure.stderr, context.secrets);
  const suffix = detail ? `: ${detail}` : ` (exit ${String(failure.exitCode)})`;
  if (AUTH.test(failure.stderr)) {
    return new ReposentryError(
      'forge-unauthorized',
      `${where} was refused authentication${suffix}`,
    );
  }
  if (NOT_FOUND.test(failure.stderr)) {
    return new ReposentryError('forge-not-found', `${where}: repository not found${suffix}`);
  }
  return new ReposentryError('git-command-failed', `${where} failed${suffix}`, {
    retryable: TRANSIENT.test(failure.stderr),
  });
}

/**
 * The last meaningful stderr line (git's `fatal:`), at most 200 characters. Secrets and URL
 * credentials are removed from all of stderr first, so that one broken over two lines goes too.
 */
function summarize(stderr: string, secrets: readonly string[]): string {
  const lines = redactCredentials(stderr, secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = lines.findLast((l) => /^(fatal|error|remote):/i.test(l)) ?? lines.at(-1) ?? '';
  return line.slice(0, 200);
}
