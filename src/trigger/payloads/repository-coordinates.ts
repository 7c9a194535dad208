/**
 * Where a repository lives, derived only from its configured URL: the names and links the forge
 * payloads carry (owner, full name, clone/web/ssh URLs). Credentials in the URL (`user:pass@`)
 * never reach a payload. Nothing here is looked up remotely, so values that cannot be derived
 * (an SSH URL for a plain https remote, a web page for a bare repository on disk) are absent.
 */
export interface RepositoryCoordinates {
  /** `github.com`, `gitlab.example.com:8443`; empty for local paths. */
  readonly host: string;
  /**
   * Forge remotes: every path segment before the last (`org`, `group/subgroup`). Local paths: the
   * parent directory's name. A URL with a single segment: its host name. Else `local`.
   */
  readonly namespace: string;
  /** Last path segment without `.git`. */
  readonly name: string;
  /** `namespace/name`. */
  readonly fullName: string;
  /** The configured URL without credentials, scp-like remotes kept as written. */
  readonly url: string;
  /** The same URL as a URI (`git@host:a/b` becomes `ssh://git@host/a/b`), for URI-typed fields. */
  readonly uri: string;
  /** URL to clone from: the https `.git` URL for http(s) remotes, else `url`. */
  readonly cloneUrl: string;
  /** http(s) page of the repository (no `.git`); for non-http remotes, `url`. */
  readonly webUrl: string;
  /** True when `webUrl` is a real http(s) page. */
  readonly hasWebUrl: boolean;
  /** `git@host:path.git` for forge remotes, or the URL itself when it is already SSH. */
  readonly sshUrl?: string;
}

const SCP_LIKE = /^(?<user>[^@/\s]+@)?(?<host>[^:/\s]+):(?<path>(?!\/\/).+)$/;

function stripGitSuffix(segment: string): string {
  return segment.replace(/\.git$/i, '');
}

function splitPath(
  path: string,
  options: { local: boolean; fallback: string },
): { namespace: string; name: string } {
  const segments = path
    .split(/[/\\]/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '~');
  const last = segments.pop() ?? 'repository';
  const namespace = options.local ? (segments.at(-1) ?? '') : segments.join('/');
  return { namespace: namespace || options.fallback || 'local', name: stripGitSuffix(last) };
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '');
}

/**
 * Derives the coordinates of `url` (https, http, ssh://, git://, scp-like `git@host:org/repo.git`,
 * file:// or a plain path). `forge` says whether the host is a GitHub/GitLab instance, for which
 * the usual `git@host:path.git` SSH URL can be stated; for plain git remotes it is not guessed.
 */
export function repositoryCoordinatesOf(url: string, forge: boolean): RepositoryCoordinates {
  const trimmed = url.trim();
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? null : SCP_LIKE.exec(trimmed);
  if (scp?.groups !== undefined) {
    const user = scp.groups.user ?? '';
    const host = scp.groups.host ?? '';
    const rawPath = (scp.groups.path ?? '').replace(/^\/+/, '');
    const { namespace, name } = splitPath(rawPath, { local: false, fallback: host });
    const fullName = `${namespace}/${name}`;
    const clean = `${user}${host}:${rawPath}`;
    return {
      host,
      namespace,
      name,
      fullName,
      url: clean,
      uri: `ssh://${user}${host}/${rawPath}`,
      cloneUrl: clean,
      webUrl: forge ? `https://${host}/${fullName}` : clean,
      hasWebUrl: forge,
      sshUrl: clean,
    };
  }

  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    // A plain filesystem path.
    const { namespace, name } = splitPath(trimmed, { local: true, fallback: '' });
    const uri = trimmed.startsWith('/') ? `file://${trimmed}` : trimmed;
    return {
      host: '',
      namespace,
      name,
      fullName: `${namespace}/${name}`,
      url: trimmed,
      uri,
      cloneUrl: trimmed,
      webUrl: trimmed,
      hasWebUrl: false,
    };
  }

  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  const clean = parsed.toString();
  const protocol = parsed.protocol.toLowerCase();
  const { namespace, name } = splitPath(decodePath(parsed.pathname), {
    local: protocol === 'file:',
    fallback: hostnameOf(parsed.host),
  });
  const fullName = `${namespace}/${name}`;
  const http = protocol === 'http:' || protocol === 'https:';
  const base = `${parsed.protocol}//${parsed.host}`;
  const repoPath = stripGitSuffix(parsed.pathname.replace(/\/+$/, ''));
  const sshUrl =
    protocol === 'ssh:' || protocol === 'git+ssh:'
      ? clean
      : forge && parsed.host !== ''
        ? `git@${hostnameOf(parsed.host)}:${fullName}.git`
        : undefined;
  return {
    host: parsed.host,
    namespace,
    name,
    fullName,
    url: clean,
    uri: clean,
    cloneUrl: http ? `${base}${repoPath}.git` : clean,
    webUrl: http
      ? `${base}${repoPath}`
      : forge
        ? `https://${hostnameOf(parsed.host)}/${fullName}`
        : clean,
    hasWebUrl: http || forge,
    ...(sshUrl === undefined ? {} : { sshUrl }),
  };
}
