import { describe, expect, it } from 'vitest';
import { PULL_REQUEST_EVENT_TYPES } from '../../src/events/change-event.js';
import { buildGithubPullRequestPayload } from '../../src/trigger/payloads/github-pull-request-payload.js';
import { buildGitlabMergeRequestPayload } from '../../src/trigger/payloads/gitlab-merge-request-payload.js';
import { sampleChangeEvent } from '../../src/trigger/payloads/sample-change-event.js';
import { GITLAB_MERGE_REQUEST_HOOK } from '../fixtures/hooks/gitlab-merge-request-hook.js';
import { documentedOmissions, githubHookExamples, keyPaths, matches } from './helpers/hook-keys.js';

/** The actions RepoSentry sends, as GitHub names them (merged is `closed` with `merged: true`). */
const GITHUB_ACTIONS = ['opened', 'synchronize', 'closed', 'reopened'];

/** Every key our requests' deliveries send, over all their actions, with all the API tells. */
function ourKeys(
  build: typeof buildGithubPullRequestPayload,
  url: string,
  provider: 'github' | 'gitlab',
) {
  const keys = new Set<string>();
  for (const type of PULL_REQUEST_EVENT_TYPES) {
    const event = sampleChangeEvent({ name: 'app', url, provider }, { type });
    for (const key of keyPaths(build(event).body)) keys.add(key);
  }
  return keys;
}

const FORMATS = [
  {
    format: 'github',
    hooks: githubHookExamples('pull_request').filter((hook) =>
      GITHUB_ACTIONS.includes((hook as { action: string }).action),
    ),
    ours: () => ourKeys(buildGithubPullRequestPayload, 'https://github.com/org/app', 'github'),
    heading: '### Keys a GitHub pull_request delivery leaves out',
    bindings: [
      'action',
      'number',
      'before',
      'after',
      'pull_request.number',
      'pull_request.state',
      'pull_request.title',
      'pull_request.html_url',
      'pull_request.draft',
      'pull_request.merged',
      'pull_request.user.login',
      'pull_request.head.sha',
      'pull_request.head.ref',
      'pull_request.head.repo.full_name',
      'pull_request.head.repo.clone_url',
      'pull_request.base.ref',
      'pull_request.base.sha',
      'repository.full_name',
      'repository.clone_url',
      'repository.html_url',
      'sender.login',
    ],
  },
  {
    format: 'gitlab',
    hooks: [GITLAB_MERGE_REQUEST_HOOK],
    ours: () =>
      ourKeys(buildGitlabMergeRequestPayload, 'https://gitlab.example.com/group/app', 'gitlab'),
    heading: '### Keys a GitLab merge request delivery leaves out',
    bindings: [
      'object_kind',
      'user.username',
      'project.path_with_namespace',
      'project.git_http_url',
      'project.web_url',
      'object_attributes.iid',
      'object_attributes.title',
      'object_attributes.state',
      'object_attributes.action',
      'object_attributes.source_branch',
      'object_attributes.target_branch',
      'object_attributes.url',
      'object_attributes.oldrev',
      'object_attributes.last_commit.id',
      'object_attributes.last_commit.message',
      'object_attributes.source.git_http_url',
      'object_attributes.target.git_http_url',
    ],
  },
] as const;

describe.each(FORMATS)(
  "a $format pull request delivery compared key by key with the host's own hook",
  (f) => {
    const theirs = new Set<string>();
    for (const body of f.hooks) for (const key of keyPaths(body)) theirs.add(key);
    const ours = f.ours();

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

    it('carries every key the usual pull request bindings read', () => {
      for (const key of f.bindings) {
        expect(ours.has(key), key).toBe(true);
        expect(theirs.has(key), key).toBe(true);
      }
    });
  },
);
