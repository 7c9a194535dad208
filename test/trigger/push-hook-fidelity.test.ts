import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/events/change-event.js';
import type { CommitDetails, PushDetails } from '../../src/events/push-details.js';
import { buildGithubPayload } from '../../src/trigger/payloads/github-payload.js';
import { buildGitlabPayload } from '../../src/trigger/payloads/gitlab-payload.js';
import { GITLAB_PUSH_HOOK } from '../fixtures/hooks/gitlab-push-hook.js';

/** Every key path of a JSON value: `a.b`, array elements as `a[]` (all elements merged). */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const at = prefix === '' ? key : `${prefix}.${key}`;
      out.add(at);
      keyPaths(child, at, out);
    }
  }
  return out;
}

/** The key patterns of a docs/tekton.md omitted-keys section (its table's first column). */
function documentedOmissions(heading: string): string[] {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/tekton.md'), 'utf8');
  const section = doc.split(heading)[1]?.split(/\n#{2,3} /)[0];
  if (section === undefined) throw new Error(`docs/tekton.md: "${heading}" is gone`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

const matches = (pattern: string, key: string): boolean =>
  new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '.*')}$`).test(key);

const commit = (id: string): CommitDetails => ({
  id,
  message: 'fix: a thing',
  timestamp: '2026-11-30T10:00:00+01:00',
  url: `https://forge.example/org/app/commit/${id}`,
  author: { name: 'A. Dev', email: 'dev@example.com', username: 'adev' },
  committer: { name: 'Forge', email: 'noreply@forge.example', username: 'web-flow' },
});

/** A branch update of `provider` with every detail the host can give. */
function fullUpdate(provider: 'github' | 'gitlab'): [ChangeEvent, PushDetails] {
  const before = 'b'.repeat(40);
  const after = 'a'.repeat(40);
  const event: ChangeEvent = {
    id: '00000000-0000-5000-8000-000000000000',
    type: 'branch.updated',
    repository: { name: 'app', url: `https://${provider}.com/org/app`, provider },
    ref: 'refs/heads/main',
    before,
    after,
    transition: 2,
    detectedAt: new Date('2026-11-30T09:00:01Z'),
  };
  const details: PushDetails = {
    repository: {
      id: 42,
      private: true,
      ...(provider === 'gitlab' ? { visibility: 'internal' as const } : {}),
      defaultBranch: 'main',
    },
    headCommit: commit(after),
    commits: [commit('c'.repeat(40)), commit(after)],
    totalCommits: 2,
    ...(provider === 'github' ? { forced: false } : {}),
    compareUrl: `https://${provider}.com/org/app/compare/${before}...${after}`,
    missing: [],
    cost: { requests: 2, quotaUnits: 2 },
  };
  return [event, details];
}

// The package's JSON itself (its type declarations need @octokit/webhooks-types).
const githubExamples = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
  name: string;
  examples: unknown[];
}[];

const FORMATS = [
  {
    format: 'github',
    hooks: githubExamples.find((e) => e.name === 'push')?.examples ?? [],
    body: () => buildGithubPayload(...fullUpdate('github')).body,
    heading: '### Keys a GitHub push delivery leaves out',
    bindings: [
      'ref',
      'before',
      'after',
      'created',
      'deleted',
      'forced',
      'compare',
      'head_commit.id',
      'head_commit.message',
      'head_commit.timestamp',
      'head_commit.author.name',
      'head_commit.author.email',
      'head_commit.author.username',
      'commits[].id',
      'commits[].message',
      'pusher.name',
      'sender.login',
      'repository.id',
      'repository.name',
      'repository.full_name',
      'repository.private',
      'repository.clone_url',
      'repository.html_url',
      'repository.ssh_url',
      'repository.default_branch',
      'repository.owner.login',
    ],
  },
  {
    format: 'gitlab',
    hooks: [GITLAB_PUSH_HOOK],
    body: () => buildGitlabPayload(...fullUpdate('gitlab')).body,
    heading: '### Keys a GitLab push delivery leaves out',
    bindings: [
      'object_kind',
      'ref',
      'before',
      'after',
      'checkout_sha',
      'user_name',
      'project_id',
      'project.id',
      'project.name',
      'project.path_with_namespace',
      'project.git_http_url',
      'project.web_url',
      'project.default_branch',
      'project.visibility_level',
      'commits[].id',
      'commits[].message',
      'commits[].author.name',
      'total_commits_count',
      'repository.git_http_url',
    ],
  },
] as const;

describe.each(FORMATS)(
  "a $format push delivery compared key by key with the host's own hook",
  (f) => {
    const theirs = new Set<string>();
    for (const body of f.hooks) for (const key of keyPaths(body)) theirs.add(key);
    const ours = keyPaths(f.body());

    it('has the published hook bodies to compare with', () => {
      expect(f.hooks.length).toBeGreaterThanOrEqual(1);
    });

    it('sends no key the host does not send', () => {
      expect([...ours].filter((key) => !theirs.has(key))).toEqual([]);
    });

    it('leaves out exactly the keys docs/tekton.md lists, each row still needed', () => {
      const patterns = documentedOmissions(f.heading);
      const missing = [...theirs].filter((key) => !ours.has(key));
      expect(missing.filter((key) => !patterns.some((p) => matches(p, key)))).toEqual([]);
      expect(patterns.filter((p) => !missing.some((key) => matches(p, key)))).toEqual([]);
    });

    it('carries every key the usual push bindings read', () => {
      for (const key of f.bindings) {
        expect(ours.has(key), key).toBe(true);
        expect(theirs.has(key), key).toBe(true);
      }
    });
  },
);
