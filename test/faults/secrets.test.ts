import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { createFakeGitlab, type FakeGitlab } from '../helpers/fake-gitlab.js';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRETS = {
  GH_TOKEN: 'ghp_SENTINELgithubTOKEN0123456789abcdef',
  GL_TOKEN: 'glpat-SENTINELgitlabTOKEN98765',
  HOOK_SECRET: 'SENTINEL-webhook-secret-5a5a5a',
  API_TOKEN: 'SENTINEL-api-token-c0ffee',
  WRONG_TOKEN: 'ghp_SENTINELwrongTOKEN00000000000000000',
};
const FORMS = Object.values(SECRETS).flatMap((value) => [
  value,
  Buffer.from(value).toString('base64'),
  encodeURIComponent(value),
]);

function leaks(text: string): string[] {
  return FORMS.filter((form) => text.includes(form));
}

/** Every process's argv, sampled until stopped. */
function argvSampler(): { stop(): string } {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      } catch {
        // gone already
      }
    }
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen].join('\n');
    },
  };
}

describe('secrets under every scenario', () => {
  let factory: GitRepoFactory;
  let app: BareRepo;
  let git: GitHttpServer;
  let github: FakeGithub;
  let gitlab: FakeGitlab;
  let receiver: WebhookReceiver;
  let dir: string;
  let daemon: DaemonProcess;
  let base: string;
  const sampler = argvSampler();
  let argv = '';
  const seen: string[] = [];

  beforeAll(async () => {
    factory = await createGitRepoFactory();
    app = await factory.createBareRepo('org/app');
    await app.commit('main', 'first');
    git = await createGitHttpServer({ root: factory.root, auth: { password: SECRETS.GH_TOKEN } });
    github = await createFakeGithub({ token: SECRETS.GH_TOKEN });
    github.setRepo('org/app', await app.refs());
    gitlab = await createFakeGitlab({ token: SECRETS.GL_TOKEN });
    gitlab.setProject('group/lib', await app.refs());
    receiver = await createWebhookReceiver({ secret: SECRETS.HOOK_SECRET });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-secrets-'));
    const onGit = git.urlFor('org/app.git');
    const configFile = await writeDaemonConfig(dir, receiver.url, {
      app: { log_level: 'debug' },
      api: { auth_token: '${API_TOKEN}' },
      tekton: { secret: '${HOOK_SECRET}' },
      security: { allowed_env_vars: ['*_TOKEN', '*_SECRET'] },
      repositories: [
        {
          name: 'gh',
          url: onGit,
          provider: 'github',
          api_base_url: github.url,
          token: '${GH_TOKEN}',
          branch_regex: '.*',
        },
        {
          name: 'gl',
          url: `${gitlab.url}/group/lib.git`,
          provider: 'gitlab',
          token: '${GL_TOKEN}',
          branch_regex: '.*',
        },
        {
          name: 'wrong',
          url: onGit,
          provider: 'github',
          api_base_url: github.url,
          token: '${WRONG_TOKEN}',
        },
      ],
    });
    daemon = startDaemonProcess(configFile, SECRETS);
    base = await daemon.ready();
    const stream = await fetch(`${base}/api/v1/events/stream`);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    void (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) return;
        if (chunk.value) seen.push(Buffer.from(chunk.value).toString('utf8'));
      }
    })();

    // A change through the API, then through the ls-remote fallback (token in the environment).
    await new Promise((r) => setTimeout(r, 1_500));
    await app.commit('main', 'via the API');
    github.setRepo('org/app', await app.refs());
    gitlab.setProject('group/lib', await app.refs());
    await receiver.waitFor((requests) => requests.length >= 2, 20_000);
    github.fault({ kind: 'status', status: 502 });
    await app.commit('main', 'via ls-remote');
    await receiver.waitFor((requests) => requests.length >= 3, 20_000);
    github.fault(undefined);
    // A mutation with the right token, and rejected ones.
    const [event] = (
      (await (await fetch(`${base}/api/v1/events`)).json()) as { events: { id: string }[] }
    ).events;
    for (const token of [SECRETS.API_TOKEN, SECRETS.WRONG_TOKEN, '']) {
      seen.push(
        await (
          await fetch(`${base}/api/v1/events/${event!.id}/redeliver`, {
            method: 'POST',
            headers: token ? { authorization: `Bearer ${token}` } : {},
          })
        ).text(),
      );
    }
    for (const route of [
      '/healthz',
      '/readyz',
      '/health',
      '/version',
      '/metrics',
      '/openapi.json',
      '/api/v1/status',
      '/api/v1/repositories',
      '/api/v1/repositories/gh',
      '/api/v1/repositories/gl',
      '/api/v1/repositories/wrong',
      '/api/v1/events',
      `/api/v1/events/${event!.id}`,
      '/api/v1/events?cursor=bad',
    ]) {
      seen.push(await (await fetch(`${base}${route}`)).text());
    }
    argv = sampler.stop();
    daemon.kill('SIGTERM');
    await daemon.exited();
  }, 90_000);

  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await Promise.all([receiver.close(), github.close(), gitlab.close(), git.close()]);
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('exercised the API, the fallback and the failures it claims to', () => {
    expect(receiver.requests.length).toBeGreaterThanOrEqual(3);
    expect(receiver.requests.every((r) => r.signatureValid !== false)).toBe(true);
    expect(daemon.output()).toContain('falling back to git ls-remote');
    expect(daemon.output()).toContain('forge-unauthorized');
    expect(git.requests.some((r) => r.authorized === true)).toBe(true);
    expect(argv).toContain('ls-remote');
    // The detector works: the GitLab-format delivery carries the secret where it belongs.
    expect(leaks(JSON.stringify(receiver.requests.map((r) => r.headers)))).toContain(
      SECRETS.HOOK_SECRET,
    );
  });

  it('never writes a secret to the logs', () => {
    expect(leaks(daemon.output())).toEqual([]);
  });

  it('never shows a secret in an API response, error message or the event stream', () => {
    expect(seen.join('\n').length).toBeGreaterThan(1000);
    expect(leaks(seen.join('\n'))).toEqual([]);
  });

  it('never puts a secret in the argv of any process', () => {
    expect(leaks(argv)).toEqual([]);
  });
});
