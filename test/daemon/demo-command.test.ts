import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/cli-command.js';

const ENTRY = path.resolve(import.meta.dirname, '../../scripts/reposentry.ts');

function startDemo(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'demo', ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  const append = (chunk: Buffer): void => {
    output.text += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exited };
}

/** Runs `reposentry demo ARGS` and resolves to its exit code and output; Ctrl-C after `withinMs`. */
async function runDemo(
  args: readonly string[],
  withinMs: number,
): Promise<{ code: number | null; out: string; interrupted: boolean }> {
  const { child, output, exited } = startDemo(args);
  let interrupted = false;
  const timer = setTimeout(() => {
    interrupted = true;
    child.kill('SIGINT');
  }, withinMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, out: output.text, interrupted };
}

describe('reposentry demo', () => {
  it('detects a change, delivers it signed to the built-in receiver, and cleans up on Ctrl-C', async () => {
    const { child, output, exited } = startDemo(['--commit-every', '500ms', '--interval', '1s']);
    const deadline = Date.now() + 30_000;
    while (!/delivery {2}delivered/.test(output.text)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no delivery seen:\n${output.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = output.text;
    expect(out).toMatch(/a poll every 1s, a change every 500ms;/);
    const api = /API (http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/status, Swagger UI \S+\/swagger\//.exec(
      out,
    )?.[1];
    expect(api, out).toBeDefined();
    const status = (await (await fetch(`${api}/api/v1/status`)).json()) as { ready: boolean };
    expect(status.ready).toBe(true);
    expect((await fetch(`${api}/swagger/`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.text).toMatch(/detected {2}branch\.updated main/);
    expect(output.text).toMatch(/receiver {2}accepted push refs\/heads\/main/);
    expect(output.text).not.toMatch(/REJECTED/);
    const database = /database (\S+)/.exec(output.text)?.[1];
    expect(database).toBeDefined();
    expect(existsSync(path.dirname(database!))).toBe(false);
  }, 45_000);

  it('takes --commit-every and --interval in every form the config takes (plain ms, 1000ms)', async () => {
    const { child, output, exited } = startDemo(['--commit-every', '1500', '--interval', '1000ms']);
    const deadline = Date.now() + 20_000;
    while (!/a change every/.test(output.text)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the demo did not start:\n${output.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited, output.text).toBe(0);
    expect(output.text).toMatch(/a poll every 1s, a change every 1500ms;/);
  }, 30_000);

  it.concurrent.each([
    [
      '--commit-every',
      '0',
      /--commit-every "0" is out of range: use 100ms to 1d \(a plain number is milliseconds\)/,
    ],
    [
      '--commit-every',
      '5',
      /--commit-every "5" is out of range: use 100ms to 1d \(a plain number is milliseconds\)/,
    ],
    ['--commit-every', '30d', /--commit-every "30d" is out of range: use 100ms to 1d$/m],
    ['--commit-every', 'soon', /--commit-every "soon" is not a duration \(use 500ms, 30s/],
    ['--interval', '500ms', /--interval "500ms" is out of range: use 1s to 1d$/m],
    ['--interval', 'fast', /--interval "fast" is not a duration \(use 500ms, 30s/],
  ])(
    'refuses %s %s as a usage error naming the option and the value, before starting anything',
    async (option, value, message) => {
      const { code, out, interrupted } = await runDemo([option, value], 10_000);
      expect(interrupted, out).toBe(false);
      expect(code, out).toBe(EXIT_USAGE);
      expect(out).toMatch(message);
      expect(out).not.toMatch(/demo {6}watching/);
    },
    20_000,
  );
});
