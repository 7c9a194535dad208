import { describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import type { Config } from '../config/config-types.js';
import { loadConfigFromObject } from '../config/load-config.js';
import type { DiscoveredRepository } from '../gitclient/discovered-repository.js';
import type {
  DiscoverySource,
  OwnerRepositoryListing,
} from '../gitclient/owner-repository-listing.js';
import type { DiscoveryListRecord, DiscoveryListWrite } from '../storage/discovery-list-record.js';
import { DiscoveryRunner } from './discovery-runner.js';

/**
 * The runner's ordering against a store whose queries answer when the test says (as a
 * PostgreSQL query may answer after another connection's write) and a host that lists when the
 * test says. Storage is faked here: no real engine can be made to answer a query late on cue.
 */
class HeldLists {
  readonly rows = new Map<string, DiscoveryListRecord>();
  held = false;
  readonly waiting: (() => void)[] = [];

  list(): Promise<DiscoveryListRecord[]> {
    // The answer is what the rows are now, whenever it arrives.
    const snapshot = [...this.rows.values()].map((row) => ({ ...row }));
    if (!this.held) return Promise.resolve(snapshot);
    return new Promise((resolve) => this.waiting.push(() => resolve(snapshot)));
  }

  save(list: DiscoveryListWrite, generation: number | undefined): Promise<boolean> {
    const row = this.rows.get(list.entry);
    if ((row?.generation ?? undefined) !== generation) return Promise.resolve(false);
    this.rows.set(list.entry, { ...list, generation: (generation ?? 0) + 1 });
    return Promise.resolve(true);
  }

  retain(entries: readonly string[]): Promise<DiscoveryListRecord[]> {
    const gone = [...this.rows.values()].filter((row) => !entries.includes(row.entry));
    for (const row of gone) this.rows.delete(row.entry);
    return Promise.resolve(gone);
  }

  release(): void {
    this.waiting.shift()?.();
  }
}

const repository = (path: string): DiscoveredRepository => ({
  path,
  cloneUrl: `https://github.com/${path}.git`,
  webUrl: `https://github.com/${path}`,
  archived: false,
  fork: false,
  topics: [],
});

function configWith(token: string): Config {
  return loadConfigFromObject(
    {
      tekton: { event_listener_url: 'http://el.example:8080' },
      discovery: ['a', 'b'].map((owner) => ({
        name: owner,
        provider: 'github',
        owner,
        url: 'https://github.com',
        token,
      })),
    },
    { env: {}, cwd: '/srv' },
  );
}

/** A host whose listings wait until the test lets each owner's next one through. */
class HeldHost {
  readonly calls: DiscoverySource[] = [];
  private readonly gates = new Map<string, (() => void)[]>();
  readonly repositories = new Map<string, DiscoveredRepository[]>();

  async listOwnerRepositories(source: DiscoverySource): Promise<OwnerRepositoryListing> {
    this.calls.push(source);
    await new Promise<void>((resolve) => {
      const gates = this.gates.get(source.owner) ?? [];
      gates.push(resolve);
      this.gates.set(source.owner, gates);
    });
    return {
      repositories: this.repositories.get(source.owner) ?? [],
      unchanged: false,
      cost: { requests: 1, quotaUnits: 1, notModified: 0 },
    };
  }

  let(owner: string): void {
    this.gates.get(owner)?.shift()?.();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('DiscoveryRunner', () => {
  function setup() {
    const lists = new HeldLists();
    const host = new HeldHost();
    host.repositories.set('a', [repository('a/x1')]);
    host.repositories.set('b', [repository('b/y1')]);
    const applied: string[][] = [];
    const runner = new DiscoveryRunner({
      storage: {
        discoveryLists: lists,
        httpCache: {
          get: () => Promise.resolve(undefined),
          set: () => Promise.resolve(),
          clear: () => Promise.resolve(),
        },
      },
      config: configWith('ghp_one'),
      lister: () => host,
      log: createCaptureLogger().log,
      leads: () => true,
      onConfig: (config) => {
        applied.push(config.repositories.map((r) => r.name));
        return Promise.resolve();
      },
    });
    return { lists, host, applied, runner };
  }

  it('never lets a query answered late replace a list stored since', async () => {
    const { lists, host, applied, runner } = setup();
    await runner.start();
    lists.held = true;
    await tick();
    // Both reads asked for the stored lists; a's answer arrives, then a lists and stores.
    expect(lists.waiting).toHaveLength(2);
    lists.release();
    await tick();
    host.let('a');
    await tick();
    expect(applied.at(-1)).toEqual(['a/x1']);
    // b's query, answered only now, was made before a's list was stored.
    lists.release();
    await tick();
    host.let('b');
    await tick();
    expect(applied.at(-1)).toEqual(['a/x1', 'b/y1']);
    await runner.stop();
  });

  it('reads again with the new settings when a reload comes during a read', async () => {
    const { host, runner } = setup();
    await runner.start();
    await tick();
    expect(host.calls.map((c) => c.token)).toEqual(['ghp_one', 'ghp_one']);
    await runner.reload(configWith('ghp_two'));
    host.let('a');
    host.let('b');
    await tick();
    expect(host.calls.slice(2).map((c) => c.token)).toEqual(['ghp_two', 'ghp_two']);
    host.let('a');
    host.let('b');
    await runner.stop();
  });
});
