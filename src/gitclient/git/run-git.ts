import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { GitFailure } from './map-git-error.js';

export interface RunGitOptions {
  readonly args: readonly string[];
  /** The git to run: a name looked up on PATH, or a path; `git` when absent. */
  readonly gitBinary?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborting kills git and every helper it started (git-remote-https, ssh). */
  readonly signal: AbortSignal;
  /** Output beyond this many bytes kills the run (a runaway remote). */
  readonly maxOutputBytes?: number;
  readonly cwd?: string;
}

export type RunGitResult =
  | { readonly ok: true; readonly stdout: string; readonly pid: number | undefined }
  | { readonly ok: false; readonly failure: GitFailure | { readonly kind: 'aborted' } };

/**
 * Runs git in its own process group and kills the whole group on abort. simple-git is not used
 * here: its abort and timeout plugins send SIGINT to the git process alone, and the transport
 * helper it spawned (git-remote-http) is orphaned and keeps the connection open; simple-git has
 * no option to start git detached, which a group kill needs.
 */
export function runGit(options: RunGitOptions): Promise<RunGitResult> {
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    if (options.signal.aborted) {
      resolve({ ok: false, failure: { kind: 'aborted' } });
      return;
    }
    const child = spawn(options.gitBinary ?? 'git', options.args, {
      cwd: options.cwd ?? tmpdir(),
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let settled = false;
    let aborted = false;
    let overflow = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (result: RunGitResult): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxOutputBytes) {
        overflow = true;
        killGroup();
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 256) stderr.push(chunk);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish({ ok: false, failure: { kind: 'spawn', ...(err.code ? { errno: err.code } : {}) } });
    });
    child.on('close', (exitCode) => {
      // Helpers left behind by a failed run must not outlive it.
      if (exitCode !== 0) killGroup();
      if (aborted) return finish({ ok: false, failure: { kind: 'aborted' } });
      const errText = Buffer.concat(stderr).toString('utf8');
      if (overflow) {
        return finish({
          ok: false,
          failure: { kind: 'exit', exitCode, stderr: `output exceeded ${maxOutputBytes} bytes` },
        });
      }
      if (exitCode !== 0)
        return finish({ ok: false, failure: { kind: 'exit', exitCode, stderr: errText } });
      finish({ ok: true, stdout: Buffer.concat(stdout).toString('utf8'), pid: child.pid });
    });
  });
}
