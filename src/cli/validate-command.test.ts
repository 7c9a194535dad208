import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_BAD_CONFIG, EXIT_OK, type CliIo } from './cli-command.js';
import { validateCommand } from './validate-command.js';

describe('validateCommand', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  let io: CliIo;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rs-validate-'));
    out = [];
    err = [];
    io = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: { GITHUB_TOKEN: 'ghp_cli_token_1' },
      cwd: dir,
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (values: Record<string, string>) =>
    validateCommand.run({ values, positionals: [] }, io);

  it('prints OK with the repository count and each warning, and exits 0', async () => {
    await writeFile(
      path.join(dir, 'config.yaml'),
      'polling: {batch_size: 5}\ntekton: {event_listener_url: "https://el"}\nrepositories:\n  - {name: a, url: "https://github.com/o/a", provider: github, token: "${GITHUB_TOKEN}"}\n  - {name: b, url: "git@h:o/b.git", provider: git}\n',
    );
    expect(await run({})).toBe(EXIT_OK);
    expect(out.join('')).toBe(
      'OK: 2 repositories\nwarning: polling.batch_size: accepted but has no effect; RepoSentry has no batches; polling.max_workers bounds how many polls run at once\n',
    );
    expect(err).toEqual([]);
  });

  it('lists every problem on its own line on stderr and exits 2', async () => {
    await writeFile(
      path.join(dir, 'bad.yaml'),
      'app: {log_level: loud}\npolling: {interval: soon}\nrepositories:\n  - {name: a, url: "https://github.com/o/a", provider: github, token: "${GITLAB_TOKEN}"}\n',
    );
    expect(await run({ config: 'bad.yaml' })).toBe(EXIT_BAD_CONFIG);
    expect(err.join('').split('\n')).toEqual([
      `Invalid configuration ${path.join(dir, 'bad.yaml')} (4 problems):`,
      'repositories[0].token: environment variable GITLAB_TOKEN is not set',
      'app.log_level: must be one of debug, info, warn, error (got "loud")',
      'polling.interval: "soon" is not a duration (use 500ms, 30s, 5m, 1h30m, 30d or plain milliseconds)',
      'repositories[0].event_listener_url: is required because tekton.event_listener_url is not set',
      '',
    ]);
    expect(out).toEqual([]);
  });

  it('exits 2 with a message naming the file when it is missing', async () => {
    expect(await run({ config: 'nope.yaml' })).toBe(EXIT_BAD_CONFIG);
    expect(err.join('')).toContain(
      `${path.join(dir, 'nope.yaml')}: cannot read config file: no such file`,
    );
  });

  it('exits 2 with a message naming the file when it is not YAML', async () => {
    await writeFile(path.join(dir, 'config.yaml'), 'app: [1, 2\n');
    expect(await run({})).toBe(EXIT_BAD_CONFIG);
    expect(err.join('')).toMatch(new RegExp(`${path.join(dir, 'config.yaml')}: not valid YAML: `));
  });
});
