import { watch } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaptureLogger, type CapturedLogger } from '../../test/helpers/capture-logger.js';
import type { Config } from './config-types.js';
import { ConfigWatcher } from './config-watcher.js';
import { loadConfig } from './load-config.js';

const EL = 'https://el.example.org/hook';

function yaml(repos: string[], extra = ''): string {
  const items = repos
    .map(
      (name) => `  - name: ${name}\n    url: https://github.com/o/${name}\n    provider: github\n`,
    )
    .join('');
  return `tekton:\n  event_listener_url: ${EL}\n${extra}repositories:\n${items}`;
}

/** Waits for `check`, looking between turns of the event loop (works with faked setTimeout). */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs `write` and resolves once the operating system reported it to a watcher of `dir` of the
 * test's own: by then a live ConfigWatcher on that directory has seen it too (same event loop
 * turn), so its debounce timer, if any, is scheduled.
 */
async function written(dir: string, write: () => Promise<void>): Promise<void> {
  const seen = new Promise<void>((resolve) => {
    const sentinel = watch(dir, { persistent: false }, () => {
      sentinel.close();
      setImmediate(resolve);
    });
  });
  await write();
  await seen;
}

describe('ConfigWatcher', () => {
  let dir: string;
  let file: string;
  let logger: CapturedLogger;
  let changes: Config[];
  let watcher: ConfigWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rs-watch-'));
    file = path.join(dir, 'config.yaml');
    await writeFile(file, yaml(['one']));
    logger = createCaptureLogger();
    changes = [];
  });
  afterEach(async () => {
    vi.useRealTimers();
    await watcher?.stop(AbortSignal.timeout(1000));
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function startWatcher(debounceMs = 50): Promise<ConfigWatcher> {
    const initial = await loadConfig({ file, env: {} });
    watcher = new ConfigWatcher({
      file,
      env: {},
      log: logger.log,
      secrets: logger.secrets,
      onChange: (config) => {
        changes.push(config);
      },
      debounceMs,
      initial,
    });
    await watcher.start();
    return watcher;
  }

  const rejections = (): Record<string, unknown>[] =>
    logger.entries().filter((entry) => entry.message === 'Config reload rejected');

  it('applies a valid change of the file and passes the new config to onChange', async () => {
    const w = await startWatcher();
    await writeFile(file, yaml(['one', 'two']));
    await until(() => changes.length === 1);
    expect(changes[0]?.repositories.map((r) => r.name)).toEqual(['one', 'two']);
    expect(w.config()).toBe(changes[0]);
    expect(w.reloadState()).toMatchObject({ generation: 2, file });
    expect(w.reloadState().lastReloadAt).toBeInstanceOf(Date);
  });

  it('sees editors that write a new file and rename it over the old one', async () => {
    await startWatcher();
    const temp = path.join(dir, '.config.yaml.swp');
    await writeFile(temp, yaml(['one', 'renamed']));
    await rename(temp, file);
    await until(() => changes.length === 1);
    expect(changes[0]?.repositories.map((r) => r.name)).toEqual(['one', 'renamed']);
  });

  it('rejects an invalid change, logs it once with every problem and keeps the old config', async () => {
    const w = await startWatcher();
    const before = w.config();
    const broken = yaml(['one', 'one']).replace('provider: github', 'provider: svn');
    await writeFile(file, broken);
    await until(() => rejections().length === 1);
    const firstAt = w.reloadState().lastError?.at.getTime() ?? 0;
    // The same bad content again: read again, but no second log line.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await written(dir, () => writeFile(file, broken));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    await until(() => (w.reloadState().lastError?.at.getTime() ?? 0) > firstAt);

    expect(rejections()).toHaveLength(1);
    expect(rejections()[0]?.problems).toEqual([
      'repositories[0].provider: must be one of github, gitlab, git (got "svn")',
      'repositories[1].name: duplicate name "one" (also repositories[0])',
    ]);
    expect(w.config()).toBe(before);
    expect(changes).toEqual([]);
    expect(w.reloadState()).toMatchObject({
      generation: 1,
      lastError: { problems: rejections()[0]?.problems },
    });
    expect(w.health().status).toBe('degraded');
  });

  it('reloads on reload() (SIGHUP), reporting unchanged, applied and rejected', async () => {
    const w = await startWatcher(60_000);
    expect(await w.reload()).toBe('unchanged');
    await writeFile(file, yaml(['one'], 'polling:\n  interval: 2m\n'));
    expect(await w.reload()).toBe('applied');
    expect(changes.map((c) => c.polling.intervalMs)).toEqual([120_000]);
    await writeFile(file, 'polling: {max_workers: 0}\n');
    expect(await w.reload()).toBe('rejected');
    expect(await w.reload()).toBe('rejected');
    expect(rejections()).toHaveLength(2);
    await writeFile(file, yaml(['one'], 'polling:\n  interval: 2m\n'));
    expect(await w.reload()).toBe('unchanged');
    expect(w.reloadState().lastError).toBeUndefined();
    expect(w.health().status).toBe('healthy');
  });

  it("registers the new config's secrets before anything is logged about it", async () => {
    const w = await startWatcher(60_000);
    const token = 'ghp_rotated_secret_token_42';
    await writeFile(
      file,
      yaml(['one']).replace('provider: github', `provider: github\n    token: ${token}`),
    );
    expect(await w.reload()).toBe('applied');
    logger.log.info('after reload', { note: `token is ${token}` });
    expect(logger.text()).not.toContain(token);
    expect(logger.text()).toContain('Config reloaded');
  });

  it('watches the repositories file too', async () => {
    await writeFile(path.join(dir, 'repos.yaml'), 'repositories: []\n');
    await writeFile(file, yaml(['one'], 'repositories_config: repos.yaml\n'));
    watcher = new ConfigWatcher({
      file,
      cwd: dir,
      env: {},
      log: logger.log,
      secrets: logger.secrets,
      onChange: (config) => {
        changes.push(config);
      },
      debounceMs: 50,
    });
    await watcher.start();
    await writeFile(
      path.join(dir, 'repos.yaml'),
      'repositories:\n  - {name: extra, url: "https://github.com/o/e", provider: github}\n',
    );
    await until(() => changes.length === 1);
    expect(changes[0]?.repositories.map((r) => r.name)).toEqual(['one', 'extra']);
  });

  it('stops watching after stop()', async () => {
    const w = await startWatcher();
    await w.stop(AbortSignal.timeout(1000));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await written(dir, () => writeFile(file, yaml(['one', 'late'])));
    // A live watcher would have scheduled its debounce by now.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(changes).toEqual([]);
    expect(w.health().status).toBe('stopped');
  });
});
