import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-command.js';
import { initCommand } from '../../src/cli/init-command.js';
import { validateCommand } from '../../src/cli/validate-command.js';

describe('reposentry init then reposentry validate', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rs-e2e-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('produces a config that validates in an environment with no tokens', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: dir };
    expect(await initCommand.run({ values: { output: 'rs.yaml' }, positionals: [] }, io)).toBe(0);
    expect(await validateCommand.run({ values: { config: 'rs.yaml' }, positionals: [] }, io)).toBe(
      0,
    );
    expect(err).toEqual([]);
    expect(out.at(-1)).toBe('OK: 1 repositories\n');
  });

  it('finds the file through $REPOSENTRY_CONFIG', async () => {
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: { REPOSENTRY_CONFIG: 'custom.yaml' },
      cwd: dir,
    };
    await initCommand.run({ values: { output: 'custom.yaml' }, positionals: [] }, io);
    expect(await validateCommand.run({ values: {}, positionals: [] }, io)).toBe(0);
  });
});
