import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './cli-command.js';
import { initCommand } from './init-command.js';
import { STARTER_CONFIG } from './starter-config.js';

describe('initCommand', () => {
  let dir: string;
  let err: string[];
  let io: CliIo;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rs-init-'));
    err = [];
    io = { stdout: () => undefined, stderr: (t) => err.push(t), env: {}, cwd: dir };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes ./config.yaml by default, and it loads with no environment variables set', async () => {
    expect(await initCommand.run({ values: {}, positionals: [] }, io)).toBe(EXIT_OK);
    const config = await loadConfig({ file: path.join(dir, 'config.yaml'), env: {}, cwd: dir });
    expect(config.repositories.map((r) => r.provider)).toEqual(['git']);
    expect(config.warnings).toEqual([]);
  });

  it('writes to -o FILE', async () => {
    expect(
      await initCommand.run({ values: { output: 'etc/../rs.yaml' }, positionals: [] }, io),
    ).toBe(EXIT_OK);
    expect(await readFile(path.join(dir, 'rs.yaml'), 'utf8')).toBe(STARTER_CONFIG);
  });

  it('refuses to overwrite an existing file without --force', async () => {
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, 'mine: true\n');
    expect(await initCommand.run({ values: {}, positionals: [] }, io)).toBe(EXIT_FAILURE);
    expect(err.join('')).toBe(`${file} already exists; use --force to overwrite it\n`);
    expect(await readFile(file, 'utf8')).toBe('mine: true\n');

    expect(await initCommand.run({ values: { force: true }, positionals: [] }, io)).toBe(EXIT_OK);
    expect(await readFile(file, 'utf8')).toBe(STARTER_CONFIG);
  });

  it('documents the env-dependent keys in comments instead of setting them', () => {
    for (const line of [
      '# auth_token: ${REPOSENTRY_API_TOKEN}',
      '# secret: ${TEKTON_WEBHOOK_SECRET}',
      '#   token: ${GITHUB_TOKEN}',
    ]) {
      expect(STARTER_CONFIG).toContain(line);
    }
    const active = STARTER_CONFIG.split('\n').filter((line) => !line.trimStart().startsWith('#'));
    expect(active.join('\n')).not.toContain('${');
  });
});
