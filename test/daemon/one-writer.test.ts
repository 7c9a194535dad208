import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createGitRepoFactory, type GitRepoFactory } from '../helpers/git-repo-factory.js';
import { runCli } from '../helpers/run-cli.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('one writer per SQLite file', () => {
  let factory: GitRepoFactory;
  let receiver: WebhookReceiver;
  let dir: string;
  let configFile: string;
  const daemons: DaemonProcess[] = [];

  beforeEach(async () => {
    factory = await createGitRepoFactory();
    const repo = await factory.createBareRepo('org/app');
    await repo.commit('main', 'first');
    receiver = await createWebhookReceiver();
    dir = await mkdtemp(path.join(tmpdir(), 'rs-lock-'));
    configFile = await writeDaemonConfig(dir, receiver.url, {
      repositories: [{ name: 'app', url: repo.fileUrl, provider: 'git', branch_regex: '.*' }],
    });
  });

  afterEach(async () => {
    for (const d of daemons.splice(0)) {
      d.kill('SIGKILL');
      await d.exited();
    }
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (): DaemonProcess => {
    const d = startDaemonProcess(configFile);
    daemons.push(d);
    return d;
  };
  const database = (): string => path.join(dir, 'reposentry.db');

  it('refuses a second run on the same file with storage-locked, naming the file and the holder', async () => {
    const first = start();
    await first.ready();
    const second = start();
    expect(await second.exited()).toBe(1);
    const output = second.output();
    expect(output).toContain('storage-locked');
    expect(output).toContain(database());
    expect(output).toContain(`pid ${first.child.pid}`);
    expect(output).toContain(hostname());
    // The first one is unharmed.
    expect(first.child.exitCode).toBeNull();
  });

  it('refuses poll --once --trigger while a daemon holds the file, and allows the dry run', async () => {
    const first = start();
    await first.ready();
    const trigger = await runCli(['poll', '--once', '--trigger', '-c', configFile], { cwd: dir });
    expect(trigger.code).toBe(1);
    expect(trigger.stderr).toContain('storage-locked');
    expect(trigger.stderr).toContain(`pid ${first.child.pid}`);
    const dry = await runCli(['poll', '--once', '-c', configFile], { cwd: dir });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
  });

  it('lets the next daemon start at once after the holder was SIGKILLed', async () => {
    const first = start();
    await first.ready();
    first.kill('SIGKILL');
    await first.exited();
    const next = start();
    await next.ready();
    expect(next.output()).not.toContain('storage-locked');
  });
});
