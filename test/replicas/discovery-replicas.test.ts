import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'ghp_discoveryReplicasToken0123456';
const SHA = 'c'.repeat(40);

/**
 * Two replicas with one `discovery` entry: the leader alone reads the organization, the list it
 * stores reaches the other replica, and the repositories found are shared between them like
 * any others.
 */
describe('discovery on replicas', () => {
  const env = useDaemonEnv({ engine: 'postgres' });
  let github: FakeGithub;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });

  afterAll(async () => {
    await github.close();
  });

  const org = (names: string[]): void => {
    github.setOrgRepositories(
      'acme',
      names.map((name) => ({ name })),
    );
    for (const name of names) {
      github.setRepo(`acme/${name}`, { branches: new Map([['main', SHA]]), tags: new Map() });
    }
  };

  const config = () => ({
    polling: { interval: '10m', jitter: 0 },
    ha: { lease_ttl: '3s' },
    tekton: { event_listener_url: env.receiver.url },
    discovery: [
      {
        name: 'acme',
        provider: 'github',
        owner: 'acme',
        url: github.url,
        api_base_url: github.url,
        token: TOKEN,
        interval: '1h',
      },
    ],
  });

  const names = async (daemon: TestDaemon): Promise<string[]> => {
    const response = await fetch(`${daemon.baseUrl}/api/v1/repositories`);
    const body = (await response.json()) as { repositories: { name: string }[] };
    return body.repositories.map((r) => r.name).sort();
  };

  it('read by the leader, watched by all, shared between them', async () => {
    org(['svc-a', 'svc-b', 'svc-c', 'svc-d']);
    const a = await env.start(config());
    const b = await env.startReplica(config());
    const all = ['acme/svc-a', 'acme/svc-b', 'acme/svc-c', 'acme/svc-d'];
    await waitFor(
      async () => (await names(a)).join() === all.join() && (await names(b)).join() === all.join(),
      15_000,
      'both replicas watching what the leader found',
    );
    // Shared like any repositories: each held by one replica, every one baselined.
    await waitFor(
      async () => {
        const held = all.filter(
          (name) =>
            (a.daemon.scheduler.entry(name) === undefined) !==
            (b.daemon.scheduler.entry(name) === undefined),
        );
        if (held.length !== all.length) return false;
        for (const name of all) {
          if ((await a.daemon.storage.pollStates.get(name))?.lastSuccessAt == null) return false;
        }
        return true;
      },
      15_000,
      'the repositories split between the replicas',
    );

    const leader = a.daemon.discovery.status()[0]?.nextReadAt === undefined ? b : a;
    const follower = leader === a ? b : a;
    expect(follower.daemon.discovery.status()[0]?.nextReadAt).toBeUndefined();
    // The follower does not read the list itself, even when asked to.
    const before = github.requests.filter((r) => r.path.startsWith('/orgs/acme')).length;
    await follower.daemon.discovery.readNow('acme');
    org(['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e']);
    await leader.daemon.discovery.readNow('acme');
    expect(github.requests.filter((r) => r.path.startsWith('/orgs/acme')).length).toBe(before + 1);
    // What the leader stored reaches the follower without waiting for a refresh.
    await waitFor(
      async () => (await names(follower)).includes('acme/svc-e'),
      2_000,
      'the follower told of the new list',
    );
  });
});
