import { describe, expect, it } from 'vitest';
import type { Provider, ResolvedPayloadFormat } from '../../config/config-types.js';
import {
  PULL_REQUEST_EVENT_TYPES,
  REF_EVENT_TYPES,
  ZERO_SHA,
  type ChangeEvent,
  type EventType,
} from '../../events/change-event.js';
import { buildPayload } from './build-payload.js';
import { SAMPLE_AFTER_SHA, SAMPLE_BEFORE_SHA, sampleChangeEvent } from './sample-change-event.js';

const DETECTED_AT = new Date('2025-03-04T05:06:07.089Z');
const GITHUB_REPO = {
  name: 'my-app',
  url: 'https://github.com/org/my-app',
  provider: 'github',
} as const;
const GITLAB_REPO = {
  name: 'tool',
  url: 'https://gitlab.example.com/group/sub/tool.git',
  provider: 'gitlab',
} as const;
const context = { version: '1.2.3', extraHeaders: { 'X-Team': 'platform' } };

function build(
  format: ResolvedPayloadFormat,
  type: EventType,
  repo: { readonly name: string; readonly url: string; readonly provider: Provider } = GITHUB_REPO,
) {
  const event = sampleChangeEvent(repo, { type, detectedAt: DETECTED_AT });
  const built = buildPayload(format, event, context);
  return { event, built, body: JSON.parse(built.body) };
}

describe('buildPayload', () => {
  it.each(['github', 'gitlab', 'cloudevents', 'reposentry'] as const)(
    '%s: is deterministic and carries the common headers and tekton.headers',
    (format) => {
      const first = build(format, 'branch.updated');
      const again = build(format, 'branch.updated');
      expect(again.built.body).toBe(first.built.body);
      expect(first.built.headers).toMatchObject({
        'User-Agent': 'RepoSentry/1.2.3',
        'X-RepoSentry-Event-Id': first.event.id,
        'X-Team': 'platform',
      });
      expect(first.built.headers['Content-Type']).toMatch(/json/);
    },
  );

  it('does not let tekton.headers replace protocol headers', () => {
    const event = sampleChangeEvent(GITHUB_REPO, { detectedAt: DETECTED_AT });
    const built = buildPayload('github', event, {
      version: '1.0.0',
      extraHeaders: {
        'x-github-event': 'ping',
        'X-Hub-Signature-256': 'sha256=forged',
        'ce-type': 'x',
        Authorization: 'Bearer abc',
      },
    });
    expect(built.headers['X-GitHub-Event']).toBe('push');
    expect(Object.keys(built.headers).map((h) => h.toLowerCase())).not.toContain(
      'x-hub-signature-256',
    );
    expect(built.headers['x-github-event']).toBeUndefined();
    expect(built.headers['ce-type']).toBeUndefined();
    expect(built.headers.Authorization).toBe('Bearer abc');
  });
});

describe('github payload', () => {
  it('describes an updated branch as a GitHub push', () => {
    const { body, built, event } = build('github', 'branch.updated');
    expect(built.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': event.id,
    });
    expect(body).toMatchObject({
      ref: 'refs/heads/main',
      before: SAMPLE_BEFORE_SHA,
      after: SAMPLE_AFTER_SHA,
      created: false,
      deleted: false,
      base_ref: null,
      compare: 'https://github.com/org/my-app/compare/111111111111...222222222222',
      repository: {
        name: 'my-app',
        full_name: 'org/my-app',
        owner: { login: 'org', name: 'org' },
        html_url: 'https://github.com/org/my-app',
        clone_url: 'https://github.com/org/my-app.git',
        ssh_url: 'git@github.com:org/my-app.git',
      },
      pusher: { name: 'reposentry', email: null },
      sender: { login: 'reposentry' },
      head_commit: {
        id: SAMPLE_AFTER_SHA,
        message: '',
        timestamp: DETECTED_AT.toISOString(),
        url: `https://github.com/org/my-app/commit/${SAMPLE_AFTER_SHA}`,
      },
    });
    expect(body.commits).toEqual([body.head_commit]);
    expect(body).not.toHaveProperty('forced');
  });

  it('marks a created branch with a zero before sha and created: true', () => {
    const { body } = build('github', 'branch.created');
    expect(body).toMatchObject({ before: ZERO_SHA, after: SAMPLE_AFTER_SHA, created: true });
    expect(body.deleted).toBe(false);
    expect(body.compare).toBe('https://github.com/org/my-app/compare/main');
  });

  it.each(['branch.deleted', 'tag.deleted'] as const)(
    'marks %s with a zero after sha, deleted: true and no head commit',
    (type) => {
      const { body } = build('github', type);
      expect(body).toMatchObject({ before: SAMPLE_BEFORE_SHA, after: ZERO_SHA, deleted: true });
      expect(body.created).toBe(false);
      expect(body.head_commit).toBeNull();
      expect(body.commits).toEqual([]);
    },
  );

  it('sends tags with refs/tags/, a head commit and no commit list', () => {
    const { body } = build('github', 'tag.created');
    expect(body.ref).toBe('refs/tags/v1.0.0');
    expect(body.created).toBe(true);
    expect(body.head_commit.id).toBe(SAMPLE_AFTER_SHA);
    expect(body.commits).toEqual([]);
  });
});

describe('gitlab payload', () => {
  it('describes a branch push as a Push Hook', () => {
    const { body, built, event } = build('gitlab', 'branch.updated', GITLAB_REPO);
    expect(built.headers).toMatchObject({
      'X-Gitlab-Event': 'Push Hook',
      'X-Gitlab-Event-UUID': event.id,
      'X-Gitlab-Instance': 'https://gitlab.example.com',
    });
    expect(body).toMatchObject({
      object_kind: 'push',
      event_name: 'push',
      ref: 'refs/heads/main',
      before: SAMPLE_BEFORE_SHA,
      after: SAMPLE_AFTER_SHA,
      checkout_sha: SAMPLE_AFTER_SHA,
      total_commits_count: 1,
      project: {
        name: 'tool',
        path_with_namespace: 'group/sub/tool',
        namespace: 'group/sub',
        web_url: 'https://gitlab.example.com/group/sub/tool',
        git_http_url: 'https://gitlab.example.com/group/sub/tool.git',
        git_ssh_url: 'git@gitlab.example.com:group/sub/tool.git',
        default_branch: null,
      },
      repository: { name: 'tool', homepage: 'https://gitlab.example.com/group/sub/tool' },
    });
    expect(body.commits[0].url).toBe(
      `https://gitlab.example.com/group/sub/tool/-/commit/${SAMPLE_AFTER_SHA}`,
    );
  });

  it.each([
    ['tag.created', ZERO_SHA, SAMPLE_AFTER_SHA, SAMPLE_AFTER_SHA],
    ['tag.updated', SAMPLE_BEFORE_SHA, SAMPLE_AFTER_SHA, SAMPLE_AFTER_SHA],
    ['tag.deleted', SAMPLE_BEFORE_SHA, ZERO_SHA, null],
  ] as const)('sends %s as a Tag Push Hook', (type, before, after, checkout) => {
    const { body, built } = build('gitlab', type, GITLAB_REPO);
    expect(built.headers['X-Gitlab-Event']).toBe('Tag Push Hook');
    expect(body).toMatchObject({ object_kind: 'tag_push', event_name: 'tag_push', before, after });
    expect(body.checkout_sha).toBe(checkout);
    expect(body.ref).toBe('refs/tags/v1.0.0');
    expect(body.commits).toEqual([]);
    expect(body.total_commits_count).toBe(0);
  });

  it('sends a created branch with a zero before sha and a deleted one without checkout sha', () => {
    expect(build('gitlab', 'branch.created', GITLAB_REPO).body.before).toBe(ZERO_SHA);
    const deleted = build('gitlab', 'branch.deleted', GITLAB_REPO).body;
    expect(deleted).toMatchObject({ object_kind: 'push', after: ZERO_SHA, checkout_sha: null });
    expect(deleted.commits).toEqual([]);
  });
});

/** The sample request as a plain git remote lists it: its ref and head, nothing else. */
function githubBodySeenAsRef(
  type: EventType,
  repo: { name: string; url: string; provider: Provider },
) {
  const event = sampleChangeEvent(repo, { type, detectedAt: DETECTED_AT });
  const head = { sha: event.after! };
  const refOnly: ChangeEvent = {
    ...event,
    pullRequest: { number: 42, state: 'open', known: 'ref', head },
  };
  return { body: JSON.parse(buildPayload('github', refOnly, context).body) };
}

describe('github pull_request payload', () => {
  it('sends an update as synchronize with the heads before and after it', () => {
    const { body, built } = build('github', 'pull_request.updated');
    expect(built.headers['X-GitHub-Event']).toBe('pull_request');
    expect(body).toMatchObject({
      action: 'synchronize',
      number: 42,
      before: SAMPLE_BEFORE_SHA,
      after: SAMPLE_AFTER_SHA,
      pull_request: {
        number: 42,
        state: 'open',
        merged: false,
        html_url: 'https://github.com/org/my-app/pull/42',
        head: { ref: 'reposentry-sample', sha: SAMPLE_AFTER_SHA, label: 'org:reposentry-sample' },
        base: { ref: 'main', repo: { full_name: 'org/my-app' } },
      },
    });
    // GitHub's pull_request.url is its API link, which RepoSentry does not state.
    expect(body.pull_request).not.toHaveProperty('url');
  });

  it.each([
    ['pull_request.opened', 'opened', 'open', false],
    ['pull_request.reopened', 'reopened', 'open', false],
    ['pull_request.closed', 'closed', 'closed', false],
    ['pull_request.merged', 'closed', 'closed', true],
  ] as const)('sends %s as action %s, state %s, merged %s', (type, action, state, merged) => {
    const { body } = build('github', type);
    expect(body).toMatchObject({ action, pull_request: { state, merged } });
    expect(body).not.toHaveProperty('before');
  });

  it('keeps base, with empty branch and sha, for a request seen only as its ref', () => {
    const { body } = githubBodySeenAsRef('pull_request.opened', {
      name: 'lib',
      url: 'https://git.example.com/lib.git',
      provider: 'git',
    });
    expect(body.pull_request).toMatchObject({
      title: '',
      user: { login: 'reposentry' },
      head: { ref: 'pull/42/head', sha: SAMPLE_AFTER_SHA },
      base: { label: '', ref: '', sha: '', repo: { clone_url: 'https://git.example.com/lib.git' } },
    });
  });
});

describe('gitlab merge request payload', () => {
  it('sends an update with oldrev and the head as last_commit', () => {
    const { body, built } = build('gitlab', 'pull_request.updated', GITLAB_REPO);
    expect(built.headers['X-Gitlab-Event']).toBe('Merge Request Hook');
    expect(body.object_attributes).toMatchObject({
      iid: 42,
      action: 'update',
      state: 'opened',
      oldrev: SAMPLE_BEFORE_SHA,
      source_branch: 'reposentry-sample',
      target_branch: 'main',
      url: 'https://gitlab.example.com/group/sub/tool/-/merge_requests/42',
      last_commit: {
        id: SAMPLE_AFTER_SHA,
        message: '',
        title: '',
        timestamp: DETECTED_AT.toISOString(),
        url: `https://gitlab.example.com/group/sub/tool/-/commit/${SAMPLE_AFTER_SHA}`,
        author: { name: '', email: null },
      },
    });
    expect(body.project).toMatchObject({
      homepage: 'https://gitlab.example.com/group/sub/tool',
      url: 'git@gitlab.example.com:group/sub/tool.git',
      ssh_url: 'git@gitlab.example.com:group/sub/tool.git',
      http_url: 'https://gitlab.example.com/group/sub/tool.git',
    });
  });

  it.each([
    ['pull_request.opened', 'open', 'opened'],
    ['pull_request.reopened', 'reopen', 'opened'],
    ['pull_request.closed', 'close', 'closed'],
    ['pull_request.merged', 'merge', 'merged'],
  ] as const)('sends %s as action %s, state %s, without oldrev', (type, action, state) => {
    const { body } = build('gitlab', type, GITLAB_REPO);
    expect(body.object_attributes).toMatchObject({ action, state });
    expect(body.object_attributes).not.toHaveProperty('oldrev');
  });
});

describe('cloudevents payload', () => {
  it.each(REF_EVENT_TYPES)(
    '%s: is a structured CloudEvent typed dev.reposentry.<kind>.<action>',
    (type) => {
      const { body, built, event } = build('cloudevents', type);
      expect(built.headers['Content-Type']).toMatch(/^application\/cloudevents\+json/);
      expect(body).toMatchObject({
        specversion: '1.0',
        id: event.id,
        source: 'https://github.com/org/my-app',
        type: `dev.reposentry.${type}`,
        subject: event.ref,
        time: DETECTED_AT.toISOString(),
        datacontenttype: 'application/json',
      });
      expect(body.data).toMatchObject({
        repository: { name: 'my-app', provider: 'github', full_name: 'org/my-app' },
        ref: event.ref,
        before: event.before,
        after: event.after,
        action: type.split('.')[1],
        ref_type: type.split('.')[0],
      });
    },
  );

  it.each(PULL_REQUEST_EVENT_TYPES)(
    '%s: is typed dev.reposentry.pull_request.<action> and carries the request',
    (type) => {
      const { body, event } = build('cloudevents', type);
      expect(body).toMatchObject({
        id: event.id,
        type: `dev.reposentry.${type}`,
        subject: 'refs/pull/42/head',
      });
      expect(body.data).toMatchObject({
        action: type.split('.')[1],
        before: event.before,
        after: SAMPLE_AFTER_SHA,
        pull_request: { number: 42, known: 'api', head: { sha: SAMPLE_AFTER_SHA } },
      });
    },
  );

  it('writes an scp-like remote as an ssh:// source', () => {
    const repo = { name: 'svc', url: 'git@git.example.com:team/svc.git', provider: 'git' } as const;
    expect(build('cloudevents', 'branch.updated', repo).body.source).toBe(
      'ssh://git@git.example.com/team/svc.git',
    );
  });
});

describe('reposentry payload', () => {
  it('has the Go RepoSentry body fields and ce-* headers', () => {
    const { body, built, event } = build('reposentry', 'branch.updated');
    expect(body).toEqual({
      repository: {
        provider: 'github',
        organization: 'org',
        name: 'my-app',
        full_name: 'org/my-app',
        url: 'https://github.com/org/my-app',
        id: 'github-org-my-app',
      },
      branch: { name: 'main', ref: 'refs/heads/main' },
      commit: { sha: SAMPLE_AFTER_SHA, short_sha: '22222222', message: '' },
      previous_commit: { sha: SAMPLE_BEFORE_SHA, short_sha: '11111111' },
      event: {
        type: 'branch_updated',
        ref_type: 'branch',
        trigger_source: 'reposentry',
        trigger_id: `reposentry-github-${Math.floor(DETECTED_AT.getTime() / 1000)}`,
        detection_time: '2025-03-04T05:06:07Z',
      },
    });
    expect(built.headers).toMatchObject({
      'Content-Type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'dev.reposentry.repository.branch_updated',
      'ce-source': 'reposentry/github',
      'ce-id': event.id,
      'ce-time': '2025-03-04T05:06:07Z',
    });
  });

  it('sends created refs without previous_commit and deleted refs with a zero sha', () => {
    const created = build('reposentry', 'tag.created').body;
    expect(created.previous_commit).toBeUndefined();
    expect(created.event.type).toBe('tag_created');
    expect(created.branch).toEqual({ name: 'v1.0.0', ref: 'refs/tags/v1.0.0' });
    const deleted = build('reposentry', 'branch.deleted').body;
    expect(deleted.commit.sha).toBe(ZERO_SHA);
    expect(deleted.event.type).toBe('branch_deleted');
  });
});
