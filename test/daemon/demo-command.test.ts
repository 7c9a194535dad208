import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = path.resolve(import.meta.dirname, '../../scripts/reposentry.ts');

describe('reposentry demo', () => {
  it('detects a change, delivers it signed to the built-in receiver, and cleans up on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'demo', '--commit-every', '0.5', '--interval', '1s'],
      {
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!/delivery {2}delivered/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no delivery seen:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const api = /API (http:\/\/127\.0\.0\.1:\d+)\/api\/v1\/status, Swagger UI \S+\/swagger\//.exec(
      out,
    )?.[1];
    expect(api, out).toBeDefined();
    const status = (await (await fetch(`${api}/api/v1/status`)).json()) as { ready: boolean };
    expect(status.ready).toBe(true);
    expect((await fetch(`${api}/swagger/`)).status).toBe(200);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/detected {2}branch\.updated main/);
    expect(out).toMatch(/receiver {2}accepted push refs\/heads\/main/);
    expect(out).not.toMatch(/REJECTED/);
    const database = /database (\S+)/.exec(out)?.[1];
    expect(database).toBeDefined();
    expect(existsSync(path.dirname(database!))).toBe(false);
  }, 45_000);
});
