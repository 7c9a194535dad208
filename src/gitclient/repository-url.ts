import { ReposentryError } from '../errors/reposentry-error.js';

/** The parts of a repository URL the clients need; scp-like `git@host:path` is accepted. */
export interface RepositoryUrl {
  /** `http:` / `https:` for web URLs; `https:` is assumed for ssh and scp-like URLs. */
  readonly webProtocol: 'http:' | 'https:';
  /** host[:port] of the web URL (the ssh port is dropped). */
  readonly host: string;
  /** Path segments without a trailing `.git`, e.g. ['group', 'sub', 'project']. */
  readonly segments: readonly string[];
}

const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;

export function parseRepositoryUrl(url: string, repoName: string): RepositoryUrl {
  let protocol: string;
  let host: string;
  let path: string;
  const scp = SCP_LIKE.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    protocol = 'ssh:';
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid(repoName, 'is not a valid URL');
    }
    protocol = parsed.protocol;
    host = protocol === 'ssh:' || protocol === 'git+ssh:' ? parsed.hostname : parsed.host;
    path = decodeURIComponent(parsed.pathname);
  }
  const segments = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((s) => s !== '');
  if (host === '' || segments.length === 0) throw invalid(repoName, 'has no host or path');
  return { webProtocol: protocol === 'http:' ? 'http:' : 'https:', host, segments };
}

function invalid(repoName: string, why: string): ReposentryError {
  return new ReposentryError('config-invalid', `Repository ${repoName}: url ${why}`);
}
