import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createDaemon, type Daemon } from '../../src/daemon/create-daemon.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { waitFor } from '../helpers/wait-for.js';

function configText(dir: string, repos: { name: string; url: string }[], interval = '1h'): string {
  return [
    'app:',
    `  data_dir: ${dir}`,
    '  health_check_port: 0',
    'api:',
    '  listen_address: 127.0.0.1',
    'polling:',
    `  interval: ${interval}`,
    // No spread of the first poll at start (at most jitter of the interval): polled at once.
    '  jitter: 0',
    'tekton:',
    '  event_listener_url: http://127.0.0.1:9/',
    'repositories:',
    ...repos.flatMap((r) => [`  - name: ${r.name}`, `    url: ${r.url}`, '    provider: git']),
    '',
  ].join('\n');
}

describe('a running daemon whose config file changes', () => {
  let factory: GitRepoFactory;
  let dir: string;
  let daemon: Daemon | undefined;

  afterEach(async () => {
    await daemon?.runtime.stop(5_000);
    daemon = undefined;
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('polls an added repository at once, drops a removed one, and keeps running on an invalid file', async () => {
    factory = await createGitRepoFactory();
    const a = await factory.createBareRepo('a');
    const b = await factory.createBareRepo('b');
    await a.commit('main', 'one');
    await b.commit('main', 'one');
    dir = await mkdtemp(path.join(tmpdir(), 'rs-reload-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, configText(dir, [{ name: 'a', url: a.fileUrl }]));
    const config = await loadConfig({ file, env: {} });
    const logs = createCaptureLogger();
    daemon = createDaemon({
      config,
      log: logs.log,
      secrets: logs.secrets,
      env: { PATH: process.env.PATH },
      configFile: file,
    });
    await daemon.runtime.start();
    const d = daemon;
    await waitFor(async () => (await d.storage.pollStates.get('a'))?.lastSuccessAt != null);

    await writeFile(file, configText(dir, [{ name: 'b', url: b.fileUrl }]));
    await waitFor(async () => (await d.storage.pollStates.get('b'))?.lastSuccessAt != null);
    expect(d.scheduler.entry('a')).toBeUndefined();
    expect(d.config().repositories.map((r) => r.name)).toEqual(['b']);

    await writeFile(file, 'repositories:\n  - name: b\n    url: not a url\n    provider: nope\n');
    await waitFor(() => d.watcher?.reloadState().lastError !== undefined);
    expect(d.watcher?.reloadState().lastError?.problems.length).toBeGreaterThan(0);
    expect(d.config().repositories.map((r) => r.name)).toEqual(['b']);
    expect(d.runtime.isReady()).toBe(true);
    expect(logs.entries().filter((e) => e.message === 'Config reload rejected')).toHaveLength(1);
  });
});
