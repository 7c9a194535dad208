import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'test-webhook-secret-91be';

describe('reposentry test-webhook', () => {
  let receiver: WebhookReceiver;
  let dir: string;
  let configFile: string;

  beforeEach(async () => {
    receiver = await createWebhookReceiver({ secret: SECRET });
    dir = await mkdtemp(path.join(tmpdir(), 'rs-test-webhook-'));
    configFile = path.join(dir, 'config.yaml');
    await writeConfig();
  });

  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function writeConfig(tekton: Record<string, unknown> = {}): Promise<void> {
    const config = {
      app: { data_dir: dir },
      tekton: {
        event_listener_url: receiver.url,
        secret: '${HOOK_SECRET}',
        headers: { 'X-Team': 'platform' },
        ...tekton,
      },
      security: { allowed_env_vars: ['HOOK_SECRET'] },
      repositories: [
        { name: 'app', url: 'https://github.com/acme/app', provider: 'github' },
        {
          name: 'infra',
          url: 'https://gitlab.example.com/ops/infra',
          provider: 'gitlab',
          event_listener_url: `${receiver.url}gitlab`,
        },
      ],
    };
    await writeFile(configFile, yaml.dump(config));
  }

  const send = (...extra: string[]) =>
    runCli(['test-webhook', '-c', configFile, ...extra], {
      cwd: dir,
      env: { HOOK_SECRET: SECRET },
    });

  it('sends a signed GitHub push for the first repository and prints the response', async () => {
    const result = await send();
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.signatureValid).toBe(true);
    expect(request.headers['x-github-event']).toBe('push');
    expect(request.headers['x-team']).toBe('platform');
    expect(request.headers['x-reposentry-delivery-attempt']).toBe('1');
    expect(request.json).toMatchObject({
      ref: 'refs/heads/main',
      after: '2222222222222222222222222222222222222222',
      repository: { full_name: 'acme/app', clone_url: 'https://github.com/acme/app.git' },
    });
    expect(result.stdout).toContain(`POST ${receiver.url}`);
    expect(result.stdout).toContain('format github, signed (X-Hub-Signature-256)');
    expect(result.stdout).toMatch(/HTTP 200 in \d+ ms: delivered\naccepted\n/);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('--repository and --type pick the repository, its URL, its format and the event', async () => {
    const result = await send('--repository', 'infra', '--type', 'tag.created', '--json');
    expect(result.code).toBe(0);
    const request = receiver.requests[0]!;
    expect(request.headers['x-gitlab-event']).toBe('Tag Push Hook');
    expect(request.headers['x-gitlab-token']).toBe(SECRET);
    expect(request.json).toMatchObject({
      object_kind: 'tag_push',
      ref: 'refs/tags/v1.0.0',
      project: { path_with_namespace: 'ops/infra' },
    });
    expect(JSON.parse(result.stdout)).toMatchObject({
      repository: 'infra',
      url: `${receiver.url}gitlab`,
      format: 'gitlab',
      eventType: 'tag.created',
      signed: true,
      ok: true,
      statusCode: 200,
      response: 'accepted',
    });
    expect(result.stdout).not.toContain(SECRET);
  });

  it("--type pull_request.* sends the sample request as the format's pull request hook", async () => {
    const github = await send('--type', 'pull_request.opened');
    expect(github.code).toBe(0);
    expect(github.stdout).toContain('sample pull_request.opened refs/pull/42/head');
    const pull = receiver.requests[0]!;
    expect(pull.signatureValid).toBe(true);
    expect(pull.headers['x-github-event']).toBe('pull_request');
    expect(pull.json).toMatchObject({
      action: 'opened',
      number: 42,
      pull_request: {
        state: 'open',
        html_url: 'https://github.com/acme/app/pull/42',
        head: { sha: '2222222222222222222222222222222222222222', ref: 'reposentry-sample' },
        base: { ref: 'main' },
      },
    });

    const gitlab = await send('--repository', 'infra', '--type', 'pull_request.merged');
    expect(gitlab.code).toBe(0);
    const merge = receiver.requests[1]!;
    expect(merge.headers['x-gitlab-event']).toBe('Merge Request Hook');
    expect(merge.json).toMatchObject({
      object_kind: 'merge_request',
      object_attributes: {
        iid: 42,
        action: 'merge',
        state: 'merged',
        source_branch: 'reposentry-sample',
        target_branch: 'main',
        url: 'https://gitlab.example.com/ops/infra/-/merge_requests/42',
      },
    });
  });

  it('exits 1 and says whether the daemon would retry when the EventListener refuses', async () => {
    receiver.respondWith(503);
    const unavailable = await send();
    expect(unavailable.code).toBe(1);
    expect(unavailable.stdout).toMatch(
      /HTTP 503 in \d+ ms: delivery-failed: HTTP 503: nope \(the daemon would retry this\)/,
    );

    receiver.respondWith(403);
    const forbidden = await send();
    expect(forbidden.code).toBe(1);
    expect(forbidden.stdout).toContain(
      'delivery-rejected: HTTP 403: nope (the daemon would not retry this)',
    );

    await receiver.down();
    const refused = await send();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no response in \d+ ms: delivery-failed: /);
  });

  it('says when deliveries are unsigned, and rejects bad arguments', async () => {
    await writeConfig({ secret: '' });
    const unsigned = await send();
    expect(unsigned.code).toBe(0);
    expect(unsigned.stdout).toContain('unsigned: tekton.secret is not set');
    expect(receiver.requests[0]?.headers['x-hub-signature-256']).toBeUndefined();

    const badType = await send('--type', 'branch.moved');
    expect(badType.code).toBe(64);
    expect(badType.stderr).toContain("--type: 'branch.moved' is not one of branch.created");

    const unknown = await send('--repository', 'nope');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('known: app, infra');
  });
});
