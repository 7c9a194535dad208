import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';

const SECRET = 'full-payload-secret-9d2e';
const TOKEN = 'ghp_fullPayloadToken0123456789abcdef';
const API_TOKEN = 'full-payload-api-token-5b7a';
/** The requests deliveries make (the polls list branches and tags). */
const DETAILS = /^\/repos\/org\/app(\/commits\/|\/compare\/|$)/;

describe('push payloads of a GitHub repository, filled from the host at delivery', () => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'] });
  let github: FakeGithub;
  let repo: BareRepo;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    repo = env.repo('org/app');
    await repo.commit('main', 'first');
    github.fault(undefined);
    github.setGitDir('org/app', repo.path);
    github.setRepository('org/app', { private: true, defaultBranch: 'main' });
    github.setRepo('org/app', await repo.refs());
  });

  const start = (tektonTimeout = '10s', commitDetails = true) =>
    env.start(
      {
        api: { auth_token: API_TOKEN },
        polling: { interval: '1h', jitter: 0, enable_api_fallback: false },
        tekton: {
          event_listener_url: env.receiver.url,
          secret: SECRET,
          timeout: tektonTimeout,
          commit_details: commitDetails,
          retry_backoff: '100ms',
          max_retry_backoff: '300ms',
        },
        repositories: [
          {
            name: 'app',
            url: 'http://127.0.0.1:9/org/app',
            provider: 'github',
            api_base_url: github.url,
            token: '${GITHUB_TOKEN}',
            branch_regex: '.*',
            tag_regex: '.*',
          },
        ],
      },
      { GITHUB_TOKEN: TOKEN },
    );
  const push = async (): Promise<void> => github.setRepo('org/app', await repo.refs());

  it('carries the commits, the head commit, forced, compare and the repository, and a redelivery sends the same bytes', async () => {
    const { daemon, baseUrl } = await start();
    await pollNowAndWait(daemon, 'app');
    const before = await repo.resolve('main');
    const one = await repo.commit('main', 'feat: one');
    const two = await repo.commit('main', 'fix: two');
    await push();
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 1);
    const [first] = env.receiver.requests;
    expect(first!.signatureValid).toBe(true);
    expect(first!.json).toMatchObject({
      ref: 'refs/heads/main',
      before,
      after: two,
      forced: false,
      compare: `${github.url}/org/app/compare/${before}...${two}`,
      head_commit: {
        id: two,
        message: 'fix: two',
        author: { name: 'RepoSentry Test', email: 'test@reposentry.invalid' },
      },
      repository: { private: true, default_branch: 'main', full_name: 'org/app' },
    });
    expect((first!.json['commits'] as { id: string }[]).map((c) => c.id)).toEqual([one, two]);
    expect(typeof (first!.json['repository'] as { id: unknown }).id).toBe('number');

    // The host is down now: the redelivery still sends the stored bytes.
    github.fault({ kind: 'status', status: 502 });
    const response = await fetch(`${baseUrl}/api/v1/events/${first!.eventId}/redeliver`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status).toBeLessThan(300);
    await env.receiver.waitFor((r) => r.length >= 2);
    expect(env.receiver.requests[1]!.body).toBe(first!.body);
  });

  it('delivers on time without the details when the host fails or hangs, and logs why', async () => {
    const { daemon, logs } = await start('1s');
    await pollNowAndWait(daemon, 'app');
    github.fault({ kind: 'status', status: 502, path: DETAILS });
    const failing = await repo.commit('main', 'while the API fails');
    await push();
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 1);
    const [sent] = env.receiver.requests;
    expect(sent!.json).toMatchObject({
      after: failing,
      head_commit: { id: failing, message: '' },
    });
    expect(sent!.json).not.toHaveProperty('forced');
    expect((sent!.json['repository'] as Record<string, unknown>)['private']).toBeUndefined();
    const warnings = logs
      .entries()
      .filter((e) => e.message === 'Payload sent without details the Git host did not give');
    expect(warnings.map((w) => w['code'])).toContain('forge-unavailable');

    github.fault({ kind: 'hang', path: DETAILS });
    const hanging = await repo.commit('main', 'while the API hangs');
    await push();
    await pollNowAndWait(daemon, 'app');
    const sentAt = Date.now();
    await env.receiver.waitFor((r) => r.length >= 2);
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    expect(env.receiver.requests[1]!.json).toMatchObject({ after: hanging });
  });

  it('asks the host nothing with tekton.commit_details: false', async () => {
    const { daemon } = await start('10s', false);
    await pollNowAndWait(daemon, 'app');
    const sha = await repo.commit('main', 'not asked');
    await push();
    github.resetStats();
    await pollNowAndWait(daemon, 'app');
    await env.receiver.waitFor((r) => r.length >= 1);
    expect(env.receiver.requests[0]!.json).toMatchObject({
      after: sha,
      head_commit: { id: sha, message: '' },
    });
    expect(github.requests.filter((r) => DETAILS.test(r.path.split('?')[0]!))).toEqual([]);
  });
});
