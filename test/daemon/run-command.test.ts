import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ENTRY = path.resolve(import.meta.dirname, '../../scripts/reposentry.ts');
const TOKEN = 'ghp_RunCommandTestToken0123456789abcdef';

function run(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => out, exited };
}

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reposentry run', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an invalid config with every problem and exit code 2, starting nothing', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-run-'));
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      'polling:\n  interval: soon\n  max_workers: 0\nrepositories:\n  - name: x\n    url: ftp://example.invalid/x\n    provider: github\n',
    );
    const p = run(['run', '-c', file], {});
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('polling.interval');
    expect(p.output()).toContain('polling.max_workers');
    expect(p.output()).toContain('repositories[0].url');
  }, 30_000);

  it('logs its redacted config, answers SIGHUP and shuts down cleanly on SIGTERM with the database closed', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-run-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      [
        'app:',
        `  data_dir: ${dir}`,
        '  health_check_port: 0',
        'api:',
        '  listen_address: 127.0.0.1',
        'polling:',
        '  enable_api_fallback: false',
        'tekton:',
        '  event_listener_url: http://127.0.0.1:9/',
        'repositories:',
        '  - name: app',
        '    url: https://github.com/org/app',
        '    api_base_url: http://127.0.0.1:9/api/v3',
        '    provider: github',
        '    token: ${GITHUB_TOKEN}',
        '    polling_interval: 1h',
        '',
      ].join('\n'),
    );
    const p = run(['run', '-c', file], { GITHUB_TOKEN: TOKEN });
    await waitFor(() => p.output().includes('RepoSentry running'));
    p.child.kill('SIGHUP');
    await waitFor(() => p.output().includes('SIGHUP received'));
    p.child.kill('SIGTERM');
    const stoppingAt = Date.now();
    expect(await p.exited).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    const out = p.output();
    expect(out).toContain('Starting RepoSentry');
    expect(out).toContain('Storage closed');
    expect(out).not.toContain(TOKEN);
    expect(out.indexOf('Storage closed')).toBeLessThan(out.indexOf('RepoSentry stopped'));
  }, 40_000);

  it('goes on without stdout when its reader is gone, logging to the file, and stops on SIGTERM', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-run-'));
    const file = path.join(dir, 'config.yaml');
    const logFile = path.join(dir, 'reposentry.log');
    await writeFile(
      file,
      [
        'app:',
        `  data_dir: ${dir}`,
        `  log_file: ${logFile}`,
        '  log_level: debug',
        '  health_check_port: 0',
        'api:',
        '  listen_address: 127.0.0.1',
        'tekton:',
        '  event_listener_url: http://127.0.0.1:9/',
        'repositories:',
        '  - name: app',
        `    url: file://${dir}/missing.git`,
        '    provider: git',
        '    polling_interval: 1s',
        '',
      ].join('\n'),
    );
    const p = run(['run', '-c', file], {});
    await waitFor(() => p.output().includes('RepoSentry running'));
    // The reader of its stdout goes away (a log shipper that died): every later line is EPIPE.
    p.child.stdout.destroy();
    const logged = async (): Promise<string> => readFile(logFile, 'utf8').catch(() => '');
    const linesBefore = (await logged()).split('\n').length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await logged()).split('\n').length).toBeGreaterThan(linesBefore);
    p.child.kill('SIGTERM');
    const stoppingAt = Date.now();
    const code = await Promise.race([
      p.exited,
      new Promise<string>((r) => setTimeout(() => r('still running'), 10_000)),
    ]);
    if (code === 'still running') p.child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    const log = await logged();
    expect(log).toContain('stdout is closed');
    expect(log).toContain('RepoSentry stopped');
  }, 40_000);
});
