import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/create-daemon.js';
import { pollNowAndWait } from '../helpers/poll-now.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../helpers/postgres-database.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { useDaemonEnv } from '../helpers/use-daemon-env.js';

const available = await postgresAvailable();
const SECRET = 'migrate-secret-51be';
const PASSWORD = 'Migrate-Pa55-never-printed';
/** The environment variable `--to env:NAME` reads the URL from. */
const URL_VARIABLE = 'RS_TEST_TARGET_URL';

/** The test database's URL with a password (the local server trusts every connection). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

/** Rows per RepoSentry table of the database (absent tables: none). */
async function tableCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of ['repositories', 'events', 'deliveries', 'delivery_attempts', 'replicas']) {
      const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
        table,
      ]);
      if (exists.rows[0]?.t === null) continue;
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(result.rows[0]?.n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

async function eventIds(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/v1/events?limit=100`);
  expect(response.status).toBe(200);
  const { events } = (await response.json()) as { events: { id: string }[] };
  return events.map((e) => e.id);
}

/** Resolves after the daemon recorded `count` more polls of `name` on its own schedule. */
async function polls(daemon: Daemon, name: string, count: number): Promise<void> {
  let last = (await daemon.storage.pollStates.get(name))?.lastPollAt ?? 0;
  const deadline = Date.now() + 15_000;
  for (let seen = 0; seen < count;) {
    if (Date.now() > deadline) throw new Error(`${name}: ${count} polls did not happen`);
    await new Promise((r) => setTimeout(r, 50));
    const at = (await daemon.storage.pollStates.get(name))?.lastPollAt ?? 0;
    if (at > last) {
      seen += 1;
      last = at;
    }
  }
}

function expectNoPassword(result: CliResult): void {
  expect(result.stdout).not.toContain(PASSWORD);
  expect(result.stderr).not.toContain(PASSWORD);
}

describe.skipIf(!available)('reposentry storage migrate', () => {
  const env = useDaemonEnv({ secret: SECRET, repos: ['org/app'] });
  let database: TestDatabase;
  let target: string;

  beforeEach(async () => {
    database = await createTestDatabase();
    target = withPassword(database.url);
  });
  afterEach(async () => {
    await env.stop();
    await database.drop();
  });

  /** The daemon's config: 1 s polls of org/app, deliveries to the receiver, quick retries. */
  function config(): Record<string, unknown> {
    return {
      app: { data_dir: env.dataDir },
      polling: { interval: '1s', jitter: 0 },
      tekton: {
        event_listener_url: env.receiver.url,
        secret: SECRET,
        retry_attempts: 1000,
        retry_backoff: '100ms',
        max_retry_backoff: '300ms',
      },
      repositories: [
        {
          name: 'app',
          url: env.repo('org/app').fileUrl,
          provider: 'git',
          branch_regex: '.*',
          tag_regex: '^v',
        },
      ],
    };
  }

  /** The SQLite config as a file, for the CLI. */
  async function configFile(): Promise<string> {
    const file = path.join(env.dataDir, 'config.yaml');
    await writeFile(file, yaml.dump(config()));
    return file;
  }

  function migrate(file: string, ...extra: string[]): Promise<CliResult> {
    return runCli(['storage', 'migrate', '--to', `env:${URL_VARIABLE}`, '-c', file, ...extra], {
      cwd: env.dataDir,
      env: { [URL_VARIABLE]: target },
    });
  }

  it('moves a used installation: the daemon on PostgreSQL fires nothing again and lists the same events', async () => {
    const repo = env.repo('org/app');
    const receiver = env.receiver;
    await repo.commit('main', 'first');
    const sqlite = await env.start(config());
    await pollNowAndWait(sqlite.daemon, 'app'); // the baseline
    await repo.commit('main', 'second');
    await repo.tag('v1', 'main');
    await pollNowAndWait(sqlite.daemon, 'app');
    await receiver.waitFor(
      (requests) => receiver.deliveredIds().length >= 2 && requests.length >= 2,
    );
    // An EventListener outage: the third change stays queued, retrying.
    receiver.respondWith(503);
    await repo.commit('main', 'third');
    await pollNowAndWait(sqlite.daemon, 'app');
    await receiver.waitFor((requests) => requests.some((r) => r.status === 503));
    const ids = await eventIds(sqlite.baseUrl);
    expect(ids).toHaveLength(3);
    const [third] = ids;
    const delivered = receiver.deliveredIds();
    expect(delivered).toHaveLength(2);
    expect(delivered).not.toContain(third);
    await env.stop();

    const file = await configFile();
    const result = await migrate(file, '--json');
    expectNoPassword(result);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      target: string;
      tables: Record<string, number>;
    };
    expect(summary.target).toContain(database.name);
    expect(summary.tables).toMatchObject({ repositories: 1, events: 3, deliveries: 3 });
    expect(summary.tables.delivery_attempts).toBeGreaterThanOrEqual(3);
    expect(result.stderr).toContain('events: 3 rows');
    expect(result.stderr).not.toContain('warning');

    // Once copied, the database is no longer empty: a second run is refused, changing nothing.
    const counts = await tableCounts(database.url);
    const again = await migrate(file);
    expectNoPassword(again);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${database.name} is not empty`);
    expect(again.stderr).toContain('3 rows in events');
    expect(again.stdout).toBe('');
    expect(await tableCounts(database.url)).toEqual(counts);

    receiver.respondWith(200);
    const before = receiver.requests.length;
    const postgres = await env.start({
      ...config(),
      storage: { type: 'postgres', postgres: { url: target } },
    });
    // The queued delivery goes out, once; nothing delivered before is sent again.
    await receiver.waitFor(() => receiver.deliveredIds().includes(third!));
    await polls(postgres.daemon, 'app', 3);
    const sent = receiver.requests.slice(before);
    expect(sent.map((r) => [r.eventId, r.status])).toEqual([[third, 200]]);
    expect(await eventIds(postgres.baseUrl)).toEqual(ids);

    // A new change fires exactly one new delivery.
    await repo.commit('main', 'fourth');
    await pollNowAndWait(postgres.daemon, 'app');
    await receiver.waitFor((requests) => requests.length >= before + 2);
    await polls(postgres.daemon, 'app', 2);
    const after = receiver.requests.slice(before + 1);
    expect(after).toHaveLength(1);
    expect(after[0]?.status).toBe(200);
    expect(ids).not.toContain(after[0]?.eventId);
    expect(await eventIds(postgres.baseUrl)).toEqual([after[0]?.eventId, ...ids]);
  });

  it('is refused with storage-locked while a daemon runs on the SQLite file', async () => {
    await env.repo('org/app').commit('main', 'first');
    const sqlite = await env.start(config());
    await pollNowAndWait(sqlite.daemon, 'app');

    const result = await migrate(await configFile());
    expectNoPassword(result);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('storage-locked');
    expect(result.stderr).toContain(path.join(env.dataDir, 'reposentry.db'));
    expect(result.stderr).toContain(`pid ${process.pid}`);
    expect(result.stdout).toBe('');
    // Refused before the target was touched: not even its schema.
    expect(await tableCounts(database.url)).toEqual({});
  });
});

describe('reposentry storage migrate, its command line', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-migrate-'));
    file = path.join(dir, 'config.yaml');
    await writeFile(file, yaml.dump({ app: { data_dir: path.join(dir, 'data') } }));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli(args, { cwd: dir, env });
  const secretUrl = `postgres://rs:${PASSWORD}@127.0.0.1:5432/reposentry`;

  it.each([
    [['storage'], 'which action? (migrate)'],
    [['storage', 'copy', '--to', 'env:X'], 'unknown action "copy"'],
    [['storage', 'migrate', '-c', 'config.yaml'], '--to is required'],
    [['storage', 'migrate', '--to', 'env:'], '--to env:NAME needs the name of a variable'],
    [['storage', 'migrate', '--to', `env:${URL_VARIABLE}`], `${URL_VARIABLE} is not set or empty`],
    [['storage', 'migrate', '--to', 'mysql://u:p@127.0.0.1/db'], 'a postgres:// or postgresql://'],
    [['storage', 'migrate', '--to', `//rs:${PASSWORD}@127.0.0.1/db`], 'not a URL'],
  ])('exits 64 on %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: reposentry storage migrate --to URL|env:NAME');
    expectNoPassword(result);
  });

  it('does not echo a URL read from the environment that is not one', async () => {
    const result = await run(['storage', 'migrate', '--to', `env:${URL_VARIABLE}`], {
      [URL_VARIABLE]: `//rs:${PASSWORD}@127.0.0.1/db`,
    });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(`--to env:${URL_VARIABLE}: not a URL`);
    expectNoPassword(result);
  });

  it('warns that a password on the command line is visible, and never prints it', async () => {
    const result = await run(['storage', 'migrate', '--to', secretUrl, '-c', file]);
    expect(result.stderr).toContain('warning: the --to URL carries a password');
    expect(result.stderr).toContain('--to env:NAME');
    // No SQLite database there: nothing to copy, and the target is never contacted.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path.join(dir, 'data', 'reposentry.db')} `);
    expect(result.stderr).toContain('does not exist');
    expectNoPassword(result);
  });

  it('does not warn about a URL without a password, nor one read with env:', async () => {
    const plain = await run([
      'storage',
      'migrate',
      '--to',
      'postgres://rs@127.0.0.1/db',
      '-c',
      file,
    ]);
    const fromEnv = await run(['storage', 'migrate', '--to', `env:${URL_VARIABLE}`, '-c', file], {
      [URL_VARIABLE]: secretUrl,
    });
    for (const result of [plain, fromEnv]) {
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain('warning');
      expectNoPassword(result);
    }
  });

  it('exits 2 on a bad config', async () => {
    await writeFile(file, yaml.dump({ storage: { type: 'nosql' } }));
    const result = await run([
      'storage',
      'migrate',
      '--to',
      'postgres://rs@127.0.0.1/db',
      '-c',
      file,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('storage.type');
  });
});
