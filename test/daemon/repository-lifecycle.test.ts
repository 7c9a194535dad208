import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import type { BareRepo } from '../helpers/git-repo-factory.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { STORAGE_ENGINES } from '../storage/storage-engines.js';
import { waitFor } from '../helpers/wait-for.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'lifecycle-secret-51a0';

describe.each(STORAGE_ENGINES)('a repository that leaves the config (%s)', (engine) => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app', 'org/other'], engine });
  let app: BareRepo;
  let other: BareRepo;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    app = env.repo('org/app');
    other = env.repo('org/other');
    receiver = env.receiver;
    await app.commit('main', 'first');
    await app.createBranch('dev', 'main');
    await other.commit('main', 'unrelated');
    await other.commit('trunk', 'unrelated too');
  });

  function raw(repositories: Record<string, unknown>[]): Record<string, unknown> {
    return {
      polling: { interval: '1h', jitter: 0 },
      tekton: { event_listener_url: receiver.url, secret: SECRET, retry_backoff: '100ms' },
      repositories: repositories.map((r) => ({ provider: 'git', branch_regex: '.*', ...r })),
    };
  }
  const appEntry = (): Record<string, unknown> => ({ name: 'app', url: app.fileUrl });
  const config = (repositories: Record<string, unknown>[]) =>
    loadConfigFromObject(
      {
        ...raw(repositories),
        app: { data_dir: env.dataDir, health_check_port: 0 },
        api: { listen_address: '127.0.0.1' },
      },
      { env: {} },
    );

  async function baselined(): Promise<TestDaemon> {
    const daemon = await env.start(raw([appEntry(), { name: 'lib', url: other.fileUrl }]));
    const d = daemon.daemon;
    await pollNowAndWait(d, 'app');
    await d.storage.httpCache.set('app', 'https://api.test/app/branches', {
      etag: 'W/"1"',
      body: '{}',
    });
    expect((await d.storage.refStates.shas('app')).size).toBe(2);
    return daemon;
  }

  it('forgets its refs, poll state and HTTP cache, and comes back with a silent baseline', async () => {
    const { daemon: d } = await baselined();
    await d.applyConfig(config([{ name: 'lib', url: other.fileUrl }]));
    expect((await d.storage.refStates.shas('app')).size).toBe(0);
    expect(await d.storage.pollStates.get('app')).toBeUndefined();
    expect(await d.storage.httpCache.get('app', 'https://api.test/app/branches')).toBeUndefined();
    expect(await d.storage.repositories.get('app')).toBeUndefined();

    // Changed while nobody watched: none of it may fire when the repository comes back.
    await app.commit('main', 'while away');
    await app.deleteBranch('dev');
    await app.createBranch('feature', 'main');
    await d.applyConfig(config([appEntry(), { name: 'lib', url: other.fileUrl }]));
    await pollNowAndWait(d, 'app');
    expect(await d.storage.refStates.shas('app')).toEqual(await app.refs());

    // Watching again: the next change fires as usual.
    const next = await app.commit('main', 'after');
    await pollNowAndWait(d, 'app');
    await receiver.waitFor((requests) => requests.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests.map((r) => [r.json.ref, r.json.after])).toEqual([
      ['refs/heads/main', next],
    ]);
  });

  it('takes a url change as a new repository: a silent baseline, no creates or deletes', async () => {
    const { daemon: d } = await baselined();
    await d.applyConfig(
      config([
        { name: 'app', url: other.fileUrl },
        { name: 'lib', url: other.fileUrl },
      ]),
    );
    expect((await d.storage.refStates.shas('app')).size).toBe(0);
    expect(await d.storage.httpCache.get('app', 'https://api.test/app/branches')).toBeUndefined();
    await pollNowAndWait(d, 'app');
    expect(await d.storage.refStates.shas('app')).toEqual(await other.refs());
    expect((await d.storage.repositories.get('app'))?.url).toBe(other.fileUrl);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(0);
    expect(await d.storage.events.count()).toBe(0);
  });

  it('is forgotten at start when it left the config while the daemon was stopped', async () => {
    await baselined();
    await env.stop();
    await app.commit('main', 'while stopped');
    const { daemon: d } = await env.start(raw([{ name: 'lib', url: other.fileUrl }]));
    expect((await d.storage.refStates.shas('app')).size).toBe(0);
    expect(await d.storage.repositories.get('app')).toBeUndefined();
    await env.stop();

    const back = await env.start(raw([appEntry(), { name: 'lib', url: other.fileUrl }]));
    await pollNowAndWait(back.daemon, 'app');
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(0);
  });

  it('keeps its recorded events and delivers what was pending when it left', async () => {
    const { daemon: d } = await baselined();
    receiver.respondWith(503);
    const sha = await app.commit('main', 'pending when removed');
    await pollNowAndWait(d, 'app');
    await receiver.waitFor((requests) => requests.length >= 1);
    await d.applyConfig(config([{ name: 'lib', url: other.fileUrl }]));
    receiver.respondWith(200);
    await waitFor(() => receiver.deliveredIds().length === 1, 10_000, 'the pending delivery');
    expect(receiver.requests.at(-1)?.json.after).toBe(sha);
    expect(await d.storage.events.count()).toBe(1);
  });
});
