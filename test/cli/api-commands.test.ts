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
      const counts = api.daemon.daemon.storage.deliveries.countByStatus();
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
