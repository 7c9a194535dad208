import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { Cluster, HeartbeatResult } from '../storage/cluster.js';
import { ReplicaCoordinator } from './replica-coordinator.js';

const TTL = 3_000;

/** A cluster whose answers the test sets; it counts what it is asked. */
function fakeCluster() {
  const state = {
    held: ['a', 'b'] as string[],
    failing: false,
    leader: true,
    joined: 0,
    left: 0,
    beats: 0,
  };
  const cluster: Cluster = {
    join: () => {
      state.joined += 1;
      return Promise.resolve();
    },
    heartbeat: (): Promise<HeartbeatResult> => {
      state.beats += 1;
      if (state.failing) {
        return Promise.reject(new ReposentryError('storage-failed', 'database unreachable'));
      }
      return Promise.resolve({ at: Date.now(), live: 2, held: [...state.held] });
    },
    leave: () => {
      state.left += 1;
      return Promise.resolve();
    },
    list: () => Promise.resolve([]),
    forgetSilent: () => Promise.resolve(0),
    tryLead: () => Promise.resolve(state.leader),
    publish: () => Promise.resolve(),
    subscribe: () => Promise.resolve(() => Promise.resolve()),
  };
  return { cluster, state };
}

describe('ReplicaCoordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function coordinator(cluster: Cluster) {
    const reshares: string[][] = [];
    const leadership: boolean[] = [];
    const logs = createCaptureLogger();
    let current: ReplicaCoordinator | undefined = undefined;
    const created = new ReplicaCoordinator({
      cluster: () => cluster,
      identity: { id: 'host/1/abc', host: 'host', pid: 1, version: '0', startedAt: 0 },
      pollable: () => ['a', 'b', 'c'],
      ttlMs: TTL,
      log: logs.log,
      onShareChanged: () => {
        reshares.push(['a', 'b', 'c'].filter((name) => current?.holds(name)));
        return Promise.resolve();
      },
      onLeadership: (leader) => {
        leadership.push(leader);
      },
    });
    current = created;
    return { coordinator: created, reshares, leadership, logs };
  }

  it('joins, holds what its heartbeat returns, and follows changes every third of the ttl', async () => {
    const { cluster, state } = fakeCluster();
    const { coordinator: c, reshares, leadership } = coordinator(cluster);
    await c.start();
    expect(state.joined).toBe(1);
    expect(c.holds('a')).toBe(true);
    expect(c.holds('c')).toBe(false);
    expect(c.isLeader).toBe(true);
    expect(leadership).toEqual([true]);
    expect(reshares).toEqual([['a', 'b']]);

    state.held = ['b', 'c'];
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(reshares).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(c.health()).toMatchObject({
      status: 'healthy',
      details: { leader: true, liveReplicas: 2, repositoriesHeld: 2 },
    });

    state.leader = false;
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(leadership).toEqual([true, false]);
    await c.stop(new AbortController().signal);
    expect(state.left).toBe(1);
    expect(c.holds('b')).toBe(false);
  });

  it('stops polling when its leases run out without a heartbeat, and takes them up again', async () => {
    const { cluster, state } = fakeCluster();
    const { coordinator: c, reshares } = coordinator(cluster);
    await c.start();
    state.failing = true;
    // One failed heartbeat: the leases (two thirds of the ttl) still hold.
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(c.holds('a')).toBe(true);
    expect(c.health()).toMatchObject({ status: 'degraded', message: 'heartbeat failed' });
    // Two thirds of the ttl since the last good heartbeat: nothing is held any more.
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(c.holds('a')).toBe(false);
    expect(c.health()).toMatchObject({ status: 'unhealthy' });
    expect(reshares.at(-1)).toEqual([]);

    state.failing = false;
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(c.holds('a')).toBe(true);
    expect(reshares.at(-1)).toEqual(['a', 'b']);
    expect(c.health()).toMatchObject({ status: 'healthy' });
    await c.stop(new AbortController().signal);
  });
});
