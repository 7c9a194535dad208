import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFromObject } from '../config/load-config.js';
import type { RepositoryConfig } from '../config/config-types.js';
import type { GitClient, RefListing } from '../gitclient/index.js';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import {
  makeEvent,
  recordEvent,
  sha,
  useTempStorage,
} from '../../test/storage/storage-fixtures.js';
import { pollRepository } from './poll-repository.js';

const config = loadConfigFromObject(
  {
    tekton: { event_listener_url: 'http://127.0.0.1:9/' },
    repositories: [
      { name: 'app', url: 'https://git.test/org/app.git', provider: 'git', branch_regex: '.*' },
    ],
  },
  { env: {} },
);
const repo = config.repositories[0] as RepositoryConfig;

/**
 * A git client whose listing the test releases: the one way to hold a poll between its listing
 * and its outbox write while the config changes underneath it.
 */
function heldClient(refs: Map<string, string>): { client: GitClient; release: () => void } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const listing: RefListing = {
    refs,
    unchanged: false,
    via: 'ls-remote',
    cost: { requests: 1, quotaUnits: 0, notModified: 0 },
  };
  return { client: { listRefs: () => held.then(() => listing) }, release };
}

describe('pollRepository of a repository that changes while the poll is in flight', () => {
  const temp = useTempStorage();
  beforeEach(async () => {
    await temp.storage.repositories.syncFromConfig([repo]);
  });

  async function pollWhile(change: () => Promise<unknown>) {
    const { client, release } = heldClient(new Map([['refs/heads/main', sha(1)]]));
    const capture = createCaptureLogger();
    const polling = pollRepository(repo, new AbortController().signal, {
      storage: temp.storage,
      gitClient: () => client,
      config: () => config,
      log: capture.log,
    });
    await change();
    release();
    return { ...(await polling), capture };
  }

  it('records nothing for a repository that left the config meanwhile', async () => {
    const { outcome, report } = await pollWhile(() => temp.storage.repositories.syncFromConfig([]));
    expect(report).toMatchObject({ ok: false, code: 'conflict' });
    expect(outcome).toEqual({ ok: true });
    expect(await temp.storage.repositories.get('app')).toBeUndefined();
    expect((await temp.storage.refStates.shas('app')).size).toBe(0);
    expect(await temp.storage.pollStates.get('app')).toBeUndefined();
  });

  it('records nothing of the old url for a repository pointed elsewhere meanwhile', async () => {
    const moved = { ...repo, url: 'https://git.test/org/other.git' };
    const { report } = await pollWhile(() => temp.storage.repositories.syncFromConfig([moved]));
    expect(report.code).toBe('conflict');
    expect(await temp.storage.repositories.isCurrent(moved)).toBe(true);
    expect((await temp.storage.refStates.shas('app')).size).toBe(0);
    expect(await temp.storage.pollStates.get('app')).toBeUndefined();
  });

  it('records nothing of a listing older than what another poll recorded meanwhile', async () => {
    // The baseline: main at 0.
    await temp.storage.recordPoll({
      repository: repo,
      refs: { upsert: [{ ref: 'refs/heads/main', sha: sha(0) }], remove: [] },
      events: [],
      targets: [],
      pollState: {
        polledAt: 1_000,
        nextPollAt: 2_000,
        via: 'ls-remote',
        baselined: { branch: true, tag: false, pull: false },
      },
    });
    // This poll lists main at 1 and pauses; meanwhile another replica, which took the
    // repository over, records 0 -> 2. Compared after its listing, the paused poll would record
    // a backwards 2 -> 1.
    let listed: () => void = () => undefined;
    const listing = new Promise<void>((resolve) => {
      listed = resolve;
    });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const client: GitClient = {
      listRefs: async () => {
        listed();
        await held;
        return {
          refs: new Map([['refs/heads/main', sha(1)]]),
          unchanged: false,
          via: 'ls-remote',
          cost: { requests: 1, quotaUnits: 0, notModified: 0 },
        };
      },
    };
    const polling = pollRepository(repo, new AbortController().signal, {
      storage: temp.storage,
      gitClient: () => client,
      config: () => config,
      log: createCaptureLogger().log,
    });
    await listing;
    const identity = { name: repo.name, provider: repo.provider, url: repo.url };
    await recordEvent(temp.storage, makeEvent('refs/heads/main', sha(0), sha(2), 3_000, identity));
    release();
    const { report } = await polling;
    expect(report).toMatchObject({ ok: false, code: 'conflict' });
    expect(await temp.storage.refStates.shas('app')).toEqual(
      new Map([['refs/heads/main', sha(2)]]),
    );
    const { events } = await temp.storage.events.list({ limit: 10 });
    expect(events.map((e) => `${e.before}..${e.after}`)).toEqual([`${sha(0)}..${sha(2)}`]);
  });
});
