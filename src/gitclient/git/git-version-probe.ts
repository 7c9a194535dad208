import { errorMessageOf } from '../../errors/reposentry-error.js';
import type { Logger } from '../../logging/create-logger.js';
import { timeoutSignal } from '../../lib/timeout-signal.js';
import { CREDENTIAL_ENV_MIN_GIT } from './git-credential-env.js';
import { parseGitVersion, type GitVersion } from './parse-git-version.js';
import { runGit } from './run-git.js';

export interface GitVersionProbeOptions {
  /** The git to ask: a name looked up on PATH, or a path; `git` when absent. */
  readonly gitBinary?: string;
  /** Environment of `git --version` (its PATH finds git); process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
  /** Gets one warning when git's answer names no version. */
  readonly log?: Logger;
  readonly timeoutMs?: number;
}

type Answer =
  | { readonly kind: 'known'; readonly version: GitVersion }
  | { readonly kind: 'unreadable' }
  | { readonly kind: 'failed' };

/**
 * Asks `git --version` once and keeps the answer: share one probe for the whole process. A run
 * that failed (git missing, killed at the timeout) is not kept, so the next caller asks again.
 */
export class GitVersionProbe {
  private answer: Promise<Answer> | undefined;

  constructor(private readonly options: GitVersionProbeOptions = {}) {}

  /** git's version, or undefined when git did not say (then git itself will report why). */
  async version(): Promise<GitVersion | undefined> {
    const pending = (this.answer ??= this.ask());
    const answer = await pending;
    if (answer.kind === 'failed' && this.answer === pending) this.answer = undefined;
    return answer.kind === 'known' ? answer.version : undefined;
  }

  private async ask(): Promise<Answer> {
    const deadline = timeoutSignal(this.options.timeoutMs ?? 10_000);
    try {
      const result = await runGit({
        args: ['--version'],
        env: this.options.env ?? process.env,
        signal: deadline.signal,
        maxOutputBytes: 64 * 1024,
        ...(this.options.gitBinary === undefined ? {} : { gitBinary: this.options.gitBinary }),
      });
      if (!result.ok) {
        this.options.log?.debug('git --version failed', { kind: result.failure.kind });
        return { kind: 'failed' };
      }
      const version = parseGitVersion(result.stdout);
      if (version) return { kind: 'known', version };
      const min = CREDENTIAL_ENV_MIN_GIT;
      this.options.log?.warn(
        `Could not read the version of git; credentials need git ${min.major}.${min.minor} or newer`,
        { output: result.stdout.trim().slice(0, 100) },
      );
      return { kind: 'unreadable' };
    } catch (err) {
      this.options.log?.debug('git --version failed', { error: errorMessageOf(err) });
      return { kind: 'failed' };
    } finally {
      deadline.dispose();
    }
  }
}
