import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextSources, dockerfileProblems } from './dockerfile-problems.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');

/** The Dockerfile with every line matching `pattern` replaced (or removed). */
function edited(pattern: RegExp, replacement = ''): string {
  expect(DOCKERFILE).toMatch(pattern);
  return DOCKERFILE.replace(pattern, replacement);
}

/** .dockerignore rules in order; the last rule matching a path or one of its parents wins. */
function isIgnored(relativePath: string, rules: string): boolean {
  const patterns = rules
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const toRegex = (glob: string): RegExp => {
    const parts = glob
      .replace(/^\/+|\/+$/g, '')
      .split('**')
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]'),
      );
    return new RegExp(`^${parts.join('.*')}$`);
  };
  const segments = relativePath.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = toRegex(negated ? pattern.slice(1) : pattern);
    if (candidates.some((candidate) => regex.test(candidate))) ignored = !negated;
  }
  return ignored;
}

describe('Dockerfile', () => {
  it('follows every rule: multi-stage, non-root, healthcheck, git, no secrets, run -c /config/config.yaml', () => {
    expect(dockerfileProblems(DOCKERFILE)).toEqual([]);
  });

  it('is reported when the runtime stage has no USER (the container would run as root)', () => {
    expect(dockerfileProblems(edited(/^USER .*$/m))).toContain(
      'the runtime stage has no USER: it would run as root',
    );
  });

  it('is reported when the USER is root or a name runAsNonRoot cannot check', () => {
    expect(dockerfileProblems(edited(/^USER .*$/m, 'USER root'))).toEqual([
      'USER root: must be a numeric, non-root uid (runAsNonRoot checks the number)',
    ]);
    expect(dockerfileProblems(edited(/^USER .*$/m, 'USER 0:0'))).toHaveLength(1);
  });

  it('is reported when the HEALTHCHECK is missing', () => {
    const withoutHealthcheck = edited(/^HEALTHCHECK [^\n]*\\\n[^\n]*$/m);
    expect(dockerfileProblems(withoutHealthcheck)).toContain(
      'the runtime stage has no HEALTHCHECK CMD',
    );
  });

  it('is reported when an ENV or ARG carries a secret', () => {
    const withSecret = edited(
      /^ENV NODE_ENV=production/m,
      'ARG GITHUB_TOKEN\nENV NODE_ENV=production',
    );
    expect(dockerfileProblems(withSecret)).toEqual([
      'ARG GITHUB_TOKEN looks like a secret: pass secrets at run time',
    ]);
    const withValue = edited(/^ENV NODE_ENV=production/m, 'ENV NODE_ENV=production EXTRA=ghp_x');
    expect(dockerfileProblems(withValue)).toEqual([
      'ENV EXTRA looks like a secret: pass secrets at run time',
    ]);
  });

  it('is reported when git is not installed in the runtime stage', () => {
    const withoutGit = edited(/install -y --no-install-recommends git /, 'install -y ');
    expect(dockerfileProblems(withoutGit)).toContain('the runtime stage does not install git');
  });

  it('is reported when the container does not run the daemon with /config/config.yaml', () => {
    const demo = edited(/^CMD \[.*\]$/m, 'CMD ["demo"]');
    expect(dockerfileProblems(demo)).toEqual([
      'the container does not run "run -c /config/config.yaml": /usr/bin/tini -- node /app/bin/reposentry.js demo',
    ]);
    const shell = edited(/^CMD \[.*\]$/m, 'CMD run -c /config/config.yaml');
    expect(dockerfileProblems(shell)).toContain('CMD is missing or in shell form');
  });

  it('is reported when a COPY --from names no earlier stage', () => {
    const typo = edited(/--from=build \/app\/dist/, '--from=builder /app/dist');
    expect(dockerfileProblems(typo)).toEqual([
      'COPY --from=builder does not name an earlier stage',
    ]);
  });

  it('is reported when the runtime stage copies from the build context', () => {
    const withSource = edited(/^WORKDIR \/data$/m, 'COPY src /app/src\nWORKDIR /data');
    expect(dockerfileProblems(withSource)).toEqual([
      'COPY src /app/src: the runtime stage copies from the build context, not from the build stage',
    ]);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const sources = contextSources(DOCKERFILE);
    expect(sources).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin']),
    );
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), `${source} exists`).toBe(true);
      expect(isIgnored(source, DOCKERIGNORE), `${source} is not ignored`).toBe(false);
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, local state, secrets and git history out of the context', () => {
    for (const entry of [
      'node_modules',
      'dist',
      'data',
      'coverage',
      '.git',
      '.env',
      'test',
      'node_modules/x/y',
    ]) {
      expect(isIgnored(entry, DOCKERIGNORE), entry).toBe(true);
    }
  });

  it('is matched the way Docker matches it (a negation re-includes)', () => {
    expect(isIgnored('src/main.ts', 'src\n!src/main.ts')).toBe(false);
    expect(isIgnored('src/other.ts', 'src\n!src/main.ts')).toBe(true);
    expect(isIgnored('a.md', '*.md')).toBe(true);
    expect(isIgnored('docs/a.md', '*.md')).toBe(false);
  });
});
