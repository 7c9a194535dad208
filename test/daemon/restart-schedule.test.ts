import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/create-daemon.js';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';

describe('a restart', () => {
  let factory: GitRepoFactory;
  let dataDir: string;
  let daemon: TestDaemon | undefined;
  let raw: Record<string, unknown>;

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    const repositories = [];
    for (const name of ['a', 'b', 'c']) {
      const repo = await factory.createBareRepo(`org/${name}`);
      await repo.commit('main', 'first');
      repositories.push({ name, url: repo.fileUrl, provider: 'git', branch_regex: '.*' });
    }
    dataDir = await mkdtemp(path.join(tmpdir(), 'rs-restart-'));
    raw = {
      app: { data_dir: dataDir },
      polling: { interval: '1h', jitter: 0 },
      tekton: { event_listener_url: 'http://127.0.0.1:9/' },
      repositories,
    };
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await factory.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes the stored schedule instead of polling every repository again at once', async () => {
    daemon = await startTestDaemon(raw);
    const first = daemon.daemon;
    const pollsOf = (d: Daemon) =>
      Promise.all(['a', 'b', 'c'].map((n) => d.storage.pollStates.get(n)));
    await waitFor(async () => (await pollsOf(first)).every(Boolean), 10_000);
    const polledAt = (await pollsOf(first)).map((p) => p?.lastPollAt);
    await daemon.stop();

    daemon = await startTestDaemon(raw);
    const next = daemon.daemon;
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await pollsOf(next)).map((p) => p?.lastPollAt)).toEqual(polledAt);
    const due = next.scheduler.entry('a')?.nextPollAt?.getTime() ?? 0;
    expect(due - Date.now()).toBeGreaterThan(50 * 60_000);
  });
});
