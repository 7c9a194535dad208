import { describe, expect, it } from 'vitest';
import type { FeedMessage } from '../../src/api/event-feed.js';
import { checkResponse } from '../api/check-response.js';
import type { TestDaemon } from '../helpers/start-test-daemon.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'replicas-secret-7d1e';
const NAMES = ['r1', 'r2', 'r3', 'r4'];
const TOKEN = 'replicas-api-token';

interface ReplicaView {
  id: string;
  self: boolean;
  live: boolean;
  repositories: string[];
  deliveriesInFlight: number;
}

async function replicasOf(daemon: TestDaemon): Promise<ReplicaView[]> {
  const url = `${daemon.baseUrl}/api/v1/replicas`;
  const res = await fetch(url);
  await checkResponse('GET', url, res);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { storage: string; replicas: ReplicaView[] };
  expect(body.storage).toBe('postgres');
  return body.replicas;
}

describe('replicas on one PostgreSQL database', () => {
  const env = useDaemonEnv({
    secret: SECRET,
    engine: 'postgres',
    repos: NAMES.map((name) => `org/${name}`),
  });

  function config(): Record<string, unknown> {
    return {
      // Long enough that only poll-now (and hand-overs of overdue ones) poll in this test.
      polling: { interval: '10m', jitter: 0 },
      ha: { lease_ttl: '3s' },
      api: { auth_token: TOKEN },
      tekton: {
        event_listener_url: env.receiver.url,
        secret: SECRET,
        retry_backoff: '100ms',
        max_retry_backoff: '300ms',
      },
      repositories: NAMES.map((name) => ({
        name,
        url: env.repo(`org/${name}`).fileUrl,
        provider: 'git',
        branch_regex: '.*',
      })),
    };
  }

  async function pollVia(daemon: TestDaemon, name: string): Promise<void> {
    const res = await fetch(`${daemon.baseUrl}/api/v1/repositories/${name}/poll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(202);
  }

  it('share the repositories, deliver each change once, and hand over when one leaves', async () => {
    for (const name of NAMES) await env.repo(`org/${name}`).commit('main', 'first');
    const a = await env.start(config());
    const b = await env.startReplica(config());

    // Both live, the repositories split between them, none held twice.
    await waitFor(
      async () => {
        const replicas = await replicasOf(a);
        const held = replicas.flatMap((r) => r.repositories);
        return (
          replicas.length === 2 &&
          replicas.every((r) => r.live && r.repositories.length > 0) &&
          [...held].sort().join() === NAMES.join()
        );
      },
      15_000,
      'both replicas holding a share',
    );
    const viewOfB = await replicasOf(b);
    expect(viewOfB.filter((r) => r.self)).toHaveLength(1);
    const heldByA = (await replicasOf(a)).find((r) => r.self)?.repositories ?? [];
    expect(heldByA.length).toBeGreaterThan(0);
    // Baselines recorded by whoever holds each repository.
    await waitFor(
      async () => {
        for (const name of NAMES) {
          if ((await a.daemon.storage.pollStates.get(name)) === undefined) return false;
        }
        return true;
      },
      15_000,
      'every repository baselined',
    );

    // B's event stream hears of what A records.
    const heardByB: FeedMessage[] = [];
    b.daemon.feed.subscribe((message) => heardByB.push(message));

    // A commit to a repository A holds, polled through B's API: A polls it, one delivery.
    const name = heldByA[0] ?? '';
    const sha = await env.repo(`org/${name}`).commit('main', 'second');
    await pollVia(b, name);
    await waitFor(() => env.receiver.requests.length === 1, 15_000, 'the delivery');
    expect(env.receiver.requests[0]?.json).toMatchObject({ after: sha });
    expect(env.receiver.requests[0]?.signatureValid).toBe(true);
    await waitFor(
      () => heardByB.some((m) => m.kind === 'events-recorded'),
      5_000,
      'B told of the event',
    );
    await waitFor(
      () => heardByB.some((m) => m.kind === 'delivery' && m.change.status === 'delivered'),
      5_000,
      'B told of the delivery',
    );

    // A leaves: B takes every repository over and polls what changed meanwhile.
    await env.stop();
    await waitFor(
      async () => {
        const replicas = await replicasOf(b);
        return replicas.length === 1 && replicas[0]?.repositories.length === NAMES.length;
      },
      10_000,
      'B holding every repository',
    );
    const again = await env.repo(`org/${name}`).commit('main', 'third');
    await pollVia(b, name);
    await waitFor(() => env.receiver.requests.length === 2, 15_000, 'the second delivery');
    expect(env.receiver.requests[1]?.json).toMatchObject({ before: sha, after: again });
    const ids = env.receiver.requests.map((r) => r.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
