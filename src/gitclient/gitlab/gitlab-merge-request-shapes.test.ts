import { describe, expect, it } from 'vitest';
import {
  parseGitlabMergeRequest,
  parseGitlabSourceProject,
  pullRequestFactsOf,
} from './gitlab-merge-request-shapes.js';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

/** A list entry as GitLab sends it (the parts read here). */
const entry = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 501,
  iid: 12,
  project_id: 7,
  title: 'Add a thing',
  state: 'opened',
  target_branch: 'main',
  source_branch: 'thing',
  source_project_id: 7,
  target_project_id: 7,
  author: { id: 3, username: 'alice', name: 'Alice' },
  draft: false,
  work_in_progress: false,
  sha: HEAD,
  merge_commit_sha: null,
  web_url: 'https://gitlab.example.com/group/app/-/merge_requests/12',
  ...extra,
});
const SELF = { path: 'group/app', cloneUrl: 'https://gitlab.example.com/group/app.git' };

describe('GitLab merge request shapes', () => {
  it('takes the base sha from diff_refs when GitLab sends them (a single request)', () => {
    const mr = parseGitlabMergeRequest(
      entry({ diff_refs: { base_sha: BASE, head_sha: HEAD, start_sha: BASE } }),
    );
    expect(mr && pullRequestFactsOf(mr, SELF)).toEqual({
      number: 12,
      state: 'open',
      known: 'api',
      title: 'Add a thing',
      draft: false,
      url: 'https://gitlab.example.com/group/app/-/merge_requests/12',
      author: 'alice',
      head: { sha: HEAD, ref: 'thing', repository: 'group/app', cloneUrl: SELF.cloneUrl },
      base: { ref: 'main', sha: BASE },
      fork: false,
    });
  });

  it('reads work_in_progress where GitLab (before 14.0) has no draft', () => {
    const { draft: _draft, ...older } = entry({ work_in_progress: true });
    const mr = parseGitlabMergeRequest(older);
    expect(mr && pullRequestFactsOf(mr, SELF)?.draft).toBe(true);
  });

  it('falls back to diff_refs.head_sha, and skips a request without any head', () => {
    const fromRefs = parseGitlabMergeRequest(entry({ sha: null, diff_refs: { head_sha: HEAD } }));
    expect(fromRefs && pullRequestFactsOf(fromRefs, SELF)?.head.sha).toBe(HEAD);
    const headless = parseGitlabMergeRequest(entry({ sha: null }));
    expect(headless).toBeDefined();
    expect(headless && pullRequestFactsOf(headless, SELF)).toBeUndefined();
  });

  it.each([
    ['merged', 'merged'],
    ['closed', 'closed'],
    ['locked', 'open'],
  ])('reads state %s as %s', (state, expected) => {
    const mr = parseGitlabMergeRequest(entry({ state }));
    expect(mr && pullRequestFactsOf(mr, SELF)?.state).toBe(expected);
  });

  it('skips a state it does not know rather than guessing', () => {
    const mr = parseGitlabMergeRequest(entry({ state: 'archived' }));
    expect(mr && pullRequestFactsOf(mr, SELF)).toBeUndefined();
  });

  it("marks a deleted fork's request as a fork without a head repository", () => {
    const mr = parseGitlabMergeRequest(entry({ source_project_id: null }));
    const facts = mr && pullRequestFactsOf(mr, undefined);
    expect(facts?.fork).toBe(true);
    expect(facts?.head).toEqual({ sha: HEAD, ref: 'thing' });
  });

  it('refuses an entry that is not a merge request', () => {
    expect(parseGitlabMergeRequest(null)).toBeUndefined();
    expect(parseGitlabMergeRequest(entry({ iid: '12' }))).toBeUndefined();
    expect(parseGitlabMergeRequest(entry({ source_branch: undefined }))).toBeUndefined();
    expect(parseGitlabMergeRequest(entry({ target_project_id: undefined }))).toBeUndefined();
  });

  it('reads a source project path and clone URL', () => {
    expect(
      parseGitlabSourceProject({
        id: 9,
        path_with_namespace: 'someone/app',
        http_url_to_repo: 'https://gitlab.example.com/someone/app.git',
      }),
    ).toEqual({ path: 'someone/app', cloneUrl: 'https://gitlab.example.com/someone/app.git' });
    expect(parseGitlabSourceProject({ id: 9 })).toBeUndefined();
  });
});
