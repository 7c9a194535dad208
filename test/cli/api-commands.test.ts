import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startApiFixture, type ApiFixture } from '../api/api-fixture.js';
import { runCli } from '../helpers/run-cli.js';

describe('reposentry status, repos and events against a running daemon', () => {
  let api: ApiFixture;
  let eventId: string;
  let sha: string;
  beforeAll(async () => {
    api = await startApiFixture();
    sha = await api.repo.commit('main', 'second');
    await api.pollNow();
    await api.receiver.waitFor((requests) => requests.length >= 1);
    eventId = api.receiver.requests[0]!.eventId!;
    for (let i = 0; i < 100; i += 1) {
      const counts = await api.daemon.daemon.storage.deliveries.countByStatus();
      if (counts.delivered === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(async () => {
    await api.close();
  });

  const cli = (...argv: string[]) =>
    runCli(argv, { cwd: process.cwd(), env: { REPOSENTRY_SERVER: api.base } });

  it('status prints health, counts and the queue', async () => {
    const result = await cli('status');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^reposentry \S+ at http:\/\/127\.0\.0\.1:\d+: ready, healthy, up /,
    );
    expect(result.stdout).toContain('repositories  1 configured, 0 failing');
    expect(result.stdout).toContain('1 delivered, 0 failed');
    expect(result.stdout).toMatch(/^scheduler +healthy/m);
    const json = await cli('status', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ready: true, events: { total: 1 } });
  });

  it('repos lists repositories, and shows one with its refs', async () => {
    const all = await cli('repos', '--server', api.base);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^NAME +PROVIDER +STATE/);
    expect(all.stdout).toMatch(/^app +git +scheduled/m);
    const one = await cli('repos', 'app');
    expect(one.stdout).toContain(`refs/heads/main  ${sha}`);
    const missing = await cli('repos', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'reposentry repos: HTTP 404 not-found: No repository named "nope"\n',
    );
  });

  it('events list, show and redeliver', async () => {
    const list = await cli('events', '--repository', 'app');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `app +branch\\.updated +main +\\w{7}\\.\\.${sha.slice(0, 7)} +delivered +${eventId}`,
      ),
    );

    const shown = await cli('events', 'show', eventId);
    expect(shown.stdout).toContain(`event     ${eventId}`);
    expect(shown.stdout).toMatch(
      /delivery \d+ to http:\/\/127\.0\.0\.1:\d+\/ \(github\): delivered, 1 attempt/,
    );
    expect(shown.stdout).toMatch(/^1 +\d{4}-.* +200 +\d+ ms/m);

    const refused = await cli('events', 'redeliver', eventId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 401 unauthorized');
    expect(refused.stderr).toContain('give --token or set REPOSENTRY_API_TOKEN');

    const queued = await runCli(['events', 'redeliver', eventId, '--json'], {
      cwd: process.cwd(),
      env: { REPOSENTRY_SERVER: api.base, REPOSENTRY_API_TOKEN: API_TOKEN },
    });
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ event: eventId });
    await api.receiver.waitFor((requests) => requests.length >= 2);
  });

  it('reports bad usage with 64 and an unreachable daemon with 1', async () => {
    expect((await cli('events', 'explode')).code).toBe(64);
    expect((await cli('events', 'show')).stderr).toContain('show needs an event ID');
    expect((await cli('status', '--server', 'ftp://x')).code).toBe(64);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const down = await cli('status', '--server', `http://127.0.0.1:${port}`);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `cannot reach the RepoSentry API at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
    const bad = await cli('events', '--limit', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'HTTP 400 bad-request: limit: "0" is not an integer from 1 to 1000',
    );
  });
});

describe('reposentry status, repos and events against a daemon with api.auth_reads', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture({ authReads: true });
  });
  afterAll(async () => {
    await api.close();
  });

  const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(argv, { cwd: process.cwd(), env: { REPOSENTRY_SERVER: api.base, ...env } });

  it('read with --token or REPOSENTRY_API_TOKEN', async () => {
    const status = await cli(['status', '--token', API_TOKEN]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/: ready, healthy, up /);
    const repos = await cli(['repos'], { REPOSENTRY_API_TOKEN: API_TOKEN });
    expect(repos.code).toBe(0);
    expect(repos.stdout).toMatch(/^app +git +/m);
    const one = await cli(['repos', 'app', '--token', API_TOKEN]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('refs/heads/main');
    const events = await cli(['events', 'list'], { REPOSENTRY_API_TOKEN: API_TOKEN });
    expect(events.code).toBe(0);
    expect(events.stdout).toBe('No events match.\n');
  });

  it('say how to give the token when it is missing, and when it is wrong', async () => {
    const missing = await cli(['status']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'reposentry status: HTTP 401 unauthorized: Send Authorization: Bearer <api.auth_token> (api.auth_reads is on) (give --token or set REPOSENTRY_API_TOKEN)\n',
    );
    const wrong = await cli(['events', 'list', '--token', 'not-the-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      'reposentry events: HTTP 403 forbidden: The bearer token is not api.auth_token\n',
    );
  });
});

describe('reposentry repos poll NAME', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture({
      repositories: [
        { name: 'off', url: 'file:///nonexistent/off.git', provider: 'git', enabled: false },
      ],
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const cli = (argv: string[], env: NodeJS.ProcessEnv = { REPOSENTRY_API_TOKEN: API_TOKEN }) =>
    runCli(argv, { cwd: process.cwd(), env: { REPOSENTRY_SERVER: api.base, ...env } });
  const lastPollAt = async (): Promise<number> =>
    (await api.daemon.daemon.storage.pollStates.get('app'))?.lastPollAt ?? 0;

  it('asks the daemon to poll the repository now and exits 0', async () => {
    const before = await lastPollAt();
    const sha = await api.repo.commit('main', 'polled on request');
    const result = await cli(['repos', 'poll', 'app']);
    expect(result).toEqual({ code: 0, stdout: 'Poll of app queued\n', stderr: '' });
    for (let i = 0; i < 500 && (await lastPollAt()) <= before; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(await lastPollAt()).toBeGreaterThan(before);
    await api.receiver.waitFor((requests) => requests.some((r) => r.json.after === sha));

    for (
      let i = 0;
      i < 500 && api.daemon.daemon.scheduler.entry('app')?.state !== 'scheduled';
      i += 1
    )
      await new Promise((r) => setTimeout(r, 10));
    const json = await cli(['repos', 'poll', 'app', '--json', '--token', API_TOKEN], {});
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ repository: 'app', message: 'Poll queued' });
  });

  it('names the repository and exits 1 when the daemon does not accept it', async () => {
    const unknown = await cli(['repos', 'poll', 'nope']);
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'reposentry repos: cannot poll nope: HTTP 404 not-found: No repository named "nope"\n',
    });
    const disabled = await cli(['repos', 'poll', 'off']);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toBe(
      'reposentry repos: cannot poll off: HTTP 409 conflict: off is disabled (enabled: false)\n',
    );
    const noToken = await cli(['repos', 'poll', 'app'], {});
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toBe(
      'reposentry repos: cannot poll app: HTTP 401 unauthorized: Send Authorization: Bearer <api.auth_token> (give --token or set REPOSENTRY_API_TOKEN)\n',
    );
    const wrongToken = await cli(['repos', 'poll', 'app', '--token', 'not-the-token'], {});
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toBe(
      'reposentry repos: cannot poll app: HTTP 403 forbidden: The bearer token is not api.auth_token\n',
    );
  });

  it('names the repository and exits 1 when the daemon cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const down = await cli(['repos', 'poll', 'app', '--server', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(
        `^reposentry repos: cannot poll app: cannot reach the RepoSentry API at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED .*\\n$`,
      ),
    );
  });

  it('is a usage error (64) without a NAME or with more than one', async () => {
    const bare = await cli(['repos', 'poll']);
    expect(bare).toEqual({
      code: 64,
      stdout: '',
      stderr: 'reposentry repos: poll needs the NAME of a repository: reposentry repos poll NAME\n',
    });
    const two = await cli(['repos', 'poll', 'app', 'off']);
    expect(two.code).toBe(64);
    expect(two.stderr).toBe('reposentry repos: unexpected "off"\n');
    const showTwo = await cli(['repos', 'app', 'off']);
    expect(showTwo.code).toBe(64);
    expect(showTwo.stderr).toBe('reposentry repos: unexpected "off"\n');
  });

  it('keeps reposentry repos and reposentry repos NAME as they were', async () => {
    const all = await cli(['repos']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^app +git +/m);
    expect(all.stdout).toMatch(/^off +git +disabled/m);
    const one = await cli(['repos', 'off']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^off +git +disabled/m);
  });

  it('shows the poll form in reposentry help repos', async () => {
    const help = await cli(['help', 'repos']);
    expect(help.stdout).toContain('reposentry repos poll NAME');
  });
});
