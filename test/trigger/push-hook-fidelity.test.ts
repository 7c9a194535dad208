import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/events/change-event.js';
import type { CommitDetails, PushDetails } from '../../src/events/push-details.js';
import { buildGithubPayload } from '../../src/trigger/payloads/github-payload.js';
import { buildGitlabPayload } from '../../src/trigger/payloads/gitlab-payload.js';
import { GITLAB_PUSH_HOOK } from '../fixtures/hooks/gitlab-push-hook.js';
import { documentedOmissions, githubHookExamples, keyPaths, matches } from './helpers/hook-keys.js';

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

const FORMATS = [
  {
    format: 'github',
    hooks: githubHookExamples('push'),
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
