/**
 * `host/path` of a repository URL, lowercased, without credentials, port, scheme, `.git` or a
 * trailing slash: `https://x@GitHub.com/Org/App.git` and `git@github.com:org/app` are both
 * `github.com/org/app`. Undefined for a string that is no repository URL.
 */
export function repositoryKeyOf(url: string): string | undefined {
  const scp = /^[^@/\s]+@([^:/\s]+):(.+)$/.exec(url);
  let host: string;
  let path: string;
  if (scp?.[1] !== undefined && scp[2] !== undefined) {
    host = scp[1];
    path = scp[2];
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.hostname === '') return undefined;
    host = parsed.hostname;
    path = parsed.pathname;
  }
  const clean = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .toLowerCase();
  return clean === '' ? undefined : `${host.toLowerCase()}/${clean}`;
}
