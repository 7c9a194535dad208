/** A git release as `git --version` names it; vendor suffixes are not kept. */
export interface GitVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Reads the output of `git --version`: `git version 2.39.5`, also with vendor suffixes
 * (`2.30.1.windows.1`, `2.20.1 (Apple Git-117)`, `2.45.GIT`, `2.31.0.rc1`). Undefined when the
 * first line names no version.
 */
export function parseGitVersion(output: string): GitVersion | undefined {
  const firstLine = output.trimStart().split('\n', 1)[0] ?? '';
  const match = /^git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(firstLine);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function gitVersionAtLeast(version: GitVersion, min: GitVersion): boolean {
  if (version.major !== min.major) return version.major > min.major;
  if (version.minor !== min.minor) return version.minor > min.minor;
  return version.patch >= min.patch;
}
