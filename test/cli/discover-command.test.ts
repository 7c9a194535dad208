import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGithub, type FakeGithub } from '../helpers/fake-github.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestDaemon } from '../helpers/start-test-daemon.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'ghp_discoverCommandToken01234567';

describe('reposentry discover', () => {
  let github: FakeGithub;
  let dir: string;
  let configFile: string;
  let raw: Record<string, unknown>;

  beforeAll(async () => {
    github = await createFakeGithub({ token: TOKEN });
  });

  afterAll(async () => {
    await github.close();
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-discover-'));
    configFile = path.join(dir, 'config.yaml');
    github.fault(undefined);
    github.setOrgRepositories('acme', [
      { name: 'svc-a' },
      { name: 'svc-b' },
      { name: 'svc-x', fork: true },
    ]);
    raw = {
      app: { data_dir: dir },
      polling: { interval: '1h' },
      tekton: { event_listener_url: 'http://127.0.0.1:9/' },
      discovery: [
        {
          name: 'acme',
          provider: 'github',
          owner: 'acme',
          url: github.url,
          api_base_url: github.url,
          token: '${GITHUB_TOKEN}',
        },
      ],
    };
    await writeFile(configFile, yaml.dump(raw));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const discover = (...extra: string[]) =>
    runCli(['discover', '-c', configFile, ...extra], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });

  /** Runs the daemon until it has stored the list once. */
  async function storeList(): Promise<void> {
    const daemon = await startTestDaemon(raw, { GITHUB_TOKEN: TOKEN });
    try {
      await waitFor(() => daemon.daemon.discovery.status()[0]?.state === 'ok', 10_000, 'a read');
    } finally {
      await daemon.stop();
    }
  }

  it('compares what the host lists now with the stored list, and writes nothing', async () => {
    await storeList();
    github.setOrgRepositories('acme', [{ name: 'svc-b' }, { name: 'svc-c' }]);
    const first = await discover();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('acme (github acme at');
    expect(first.stdout).toContain('2 listed, 3 watched, 1 left out by the filters');
    expect(first.stdout).toMatch(/would add:\n {4}acme\/svc-c\n/);
    expect(first.stdout).toMatch(/missing from this read[^\n]*:\n {4}acme\/svc-a\n/);
    expect(first.stdout).not.toContain('would drop');
    // Nothing was stored: the same answer again, from the same stored list.
    const again = await discover('--json');
    const { entries } = JSON.parse(again.stdout) as {
      entries: { add: string[]; drop: string[]; missingOnce: string[]; watched: string[] }[];
    };
    expect(entries[0]).toMatchObject({
      add: ['acme/svc-c'],
      drop: [],
      missingOnce: ['acme/svc-a'],
      watched: ['acme/svc-a', 'acme/svc-b', 'acme/svc-c'],
    });
    expect(again.stdout).not.toContain(TOKEN);
  });

  it('asks with the stored ETags, so an unchanged organization answers 304', async () => {
    await storeList();
    const before = github.requests.length;
    const result = await discover();
    expect(result.stdout).toContain('no change');
    const listings = github.requests.slice(before).filter((r) => r.path.startsWith('/orgs/acme'));
    expect(listings.map((r) => r.status)).toEqual([304]);
  });

  it('counts everything as new before the daemon stored a list, and says when a list cannot be read', async () => {
    const fresh = await discover();
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/would add:\n {4}acme\/svc-a\n {4}acme\/svc-b\n/);
    github.fault({ kind: 'status', status: 401 });
    const failed = await discover();
    expect(failed.code).toBe(0);
    expect(failed.stdout).toContain('could not read the list: forge-unauthorized');
  });

  it('says so when the config has no discovery entries, and exits 2 on a bad one', async () => {
    await writeFile(configFile, yaml.dump({ ...raw, discovery: [] }));
    expect((await discover()).stdout).toContain('has no discovery entries');
    await writeFile(configFile, yaml.dump({ ...raw, discovery: [{ name: 'x' }] }));
    const bad = await discover();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('discovery[0].provider: is required');
  });
});
