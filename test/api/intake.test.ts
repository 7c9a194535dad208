import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'intake-tekton-secret-3b9d';
const HOOK_SECRET = 'intake-hook-secret-8c1e';
const TOKEN = 'ghp_intakeToken0123456789abcdef';
const CLONE_URL = 'http://127.0.0.1:9/org/app.git';

const sign = (body: string, secret = HOOK_SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook intake', () => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'] });
  let github: FakeGithub;
  let repo: BareRepo;
  let daemon: TestDaemon;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    repo = env.repo('org/app');
    await repo.commit('main', 'first');
    github.setRepo('org/app', await repo.refs());
    daemon = await env.start(
      {
        intake: { enabled: true, secret: '${INTAKE_WEBHOOK_SECRET}' },
        polling: { interval: '1h', jitter: 0, enable_api_fallback: false },
        tekton: {
          event_listener_url: env.receiver.url,
          secret: SECRET,
          retry_backoff: '100ms',
          commit_details: false,
        },
        repositories: [
          {
            name: 'app',
            url: 'http://127.0.0.1:9/org/app',
            provider: 'github',
            api_base_url: github.url,
            token: '${GITHUB_TOKEN}',
            branch_regex: '^main$',
          },
        ],
      },
      { GITHUB_TOKEN: TOKEN, INTAKE_WEBHOOK_SECRET: HOOK_SECRET },
    );
    // The start-up poll records the baseline.
    await waitFor(async () => (await daemon.daemon.storage.pollStates.get('app'))?.lastPollAt);
    github.resetStats();
  });

  const listings = (): number =>
    github.requests.filter((r) => r.path.startsWith('/repos/org/app/branches')).length;
  const post = (
    provider: 'github' | 'gitlab',
    body: string,
    headers: Record<string, string>,
  ): Promise<Response> =>
    fetch(`${daemon.baseUrl}/hooks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const pushHook = JSON.stringify({
    ref: 'refs/heads/main',
    after: 'f'.repeat(40),
    repository: { full_name: 'org/app', clone_url: CLONE_URL },
  });

  it('polls the repository a signed GitHub push names, and delivers the change it finds', async () => {
    const sha = await repo.commit('main', 'pushed');
    github.setRepo('org/app', await repo.refs());
    const response = await post('github', pushHook, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(pushHook),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ repositories: ['app'] });
    await env.receiver.waitFor((r) => r.length >= 1);
    // The delivery carries the sha the poll listed, not the one the hook claimed.
    expect(env.receiver.requests[0]!.json).toMatchObject({ after: sha });
    expect(listings()).toBe(1);

    // A webhook set to form encoding sends the same JSON as `payload=`, signed as sent.
    const form = `payload=${encodeURIComponent(pushHook)}`;
    const formed = await fetch(`${daemon.baseUrl}/hooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-hub-signature-256': sign(form),
      },
      body: form,
    });
    expect(formed.status).toBe(202);
  });

  it('makes one poll of a burst of 50 hooks, and a replayed hook one more poll at most', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post('github', pushHook, {
          'x-github-event': 'push',
          'x-hub-signature-256': sign(pushHook),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    await waitFor(() => listings() >= 1 || undefined);
    await new Promise((r) => setTimeout(r, 600));
    expect(listings()).toBe(1);
    const replay = await post('github', pushHook, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(pushHook),
    });
    expect(replay.status).toBe(202);
    await waitFor(() => listings() >= 2 || undefined);
    await new Promise((r) => setTimeout(r, 600));
    expect(listings()).toBe(2);
    expect(env.receiver.requests).toHaveLength(0);
  });

  it('refuses bad signatures, unknown repositories, malformed and oversized bodies; answers ping', async () => {
    const bad = await post('github', pushHook, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(pushHook, 'wrong-secret'),
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized' });
    expect((await post('github', pushHook, { 'x-github-event': 'push' })).status).toBe(401);

    const other = JSON.stringify({ repository: { clone_url: 'https://github.com/org/other.git' } });
    const unknown = await post('github', other, { 'x-hub-signature-256': sign(other) });
    expect(unknown.status).toBe(404);

    const notJson = 'not json';
    expect((await post('github', notJson, { 'x-hub-signature-256': sign(notJson) })).status).toBe(
      400,
    );
    const nameless = JSON.stringify({ zen: 'x' });
    expect((await post('github', nameless, { 'x-hub-signature-256': sign(nameless) })).status).toBe(
      400,
    );

    const huge = 'x'.repeat(10 * 1024 * 1024 + 1);
    expect((await post('github', huge, { 'x-hub-signature-256': sign(huge) })).status).toBe(413);

    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pong = await post('github', ping, {
      'x-github-event': 'ping',
      'x-hub-signature-256': sign(ping),
    });
    expect(pong.status).toBe(200);

    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toContain(
      'reposentry_intake_hooks_total{provider="github",outcome="unauthorized"} 2',
    );
    expect(metrics).toContain(
      'reposentry_intake_hooks_total{provider="github",outcome="not_watched"} 1',
    );
    expect(metrics).toContain(
      'reposentry_intake_hooks_total{provider="github",outcome="too_large"} 1',
    );
    expect(metrics).toContain('reposentry_intake_hooks_total{provider="github",outcome="ping"} 1');
    expect(listings()).toBe(0);
    expect(daemon.logs.text()).not.toContain(HOOK_SECRET);
  });

  it('takes a GitLab hook with its secret token, matching the project URL', async () => {
    const hook = JSON.stringify({
      object_kind: 'push',
      project: {
        path_with_namespace: 'org/app',
        git_http_url: CLONE_URL,
        web_url: 'http://127.0.0.1:9/org/app',
      },
    });
    expect((await post('gitlab', hook, { 'x-gitlab-token': 'wrong' })).status).toBe(401);
    // A wrong token is refused before a large body is read.
    const large = 'x'.repeat(10 * 1024 * 1024 + 1);
    expect((await post('gitlab', large, { 'x-gitlab-token': 'wrong' })).status).toBe(413);
    expect(
      (await post('gitlab', 'x'.repeat(1024 * 1024), { 'x-gitlab-token': 'wrong' })).status,
    ).toBe(401);
    const ok = await post('gitlab', hook, { 'x-gitlab-token': HOOK_SECRET });
    expect(ok.status).toBe(202);
    await waitFor(() => listings() >= 1 || undefined);
  });

  it('serves no webhook with intake.enabled false', async () => {
    await env.stop();
    daemon = await env.start(
      {
        intake: { enabled: false, secret: '${INTAKE_WEBHOOK_SECRET}' },
        tekton: { event_listener_url: env.receiver.url, secret: SECRET },
        repositories: [
          {
            name: 'app',
            url: 'http://127.0.0.1:9/org/app',
            provider: 'github',
            api_base_url: github.url,
            token: '${GITHUB_TOKEN}',
            polling_interval: '1h',
          },
        ],
      },
      { GITHUB_TOKEN: TOKEN, INTAKE_WEBHOOK_SECRET: HOOK_SECRET },
    );
    const off = await post('github', pushHook, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(pushHook),
    });
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: 'not-found' });
  });
});
