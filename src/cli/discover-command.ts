import type { Config } from '../config/config-types.js';
import { GitClientHolder } from '../daemon/git-client-holder.js';
import { sourceOf } from '../discovery/source-of.js';
import { MIN_READ_TIMEOUT_MS } from '../discovery/discovery-runner.js';
import { previewDiscovery, type EntryPreview } from '../discovery/preview-discovery.js';
import { errorMessageOf } from '../errors/reposentry-error.js';
import {
  MemoryHttpCache,
  ReadThroughHttpCache,
  type DiscoveredRepository,
} from '../gitclient/index.js';
import { RequestOpener } from '../http/open-request.js';
import { timeoutSignal } from '../lib/timeout-signal.js';
import { createStorage } from '../storage/create-storage.js';
import type { DiscoveryListRecord } from '../storage/discovery-list-record.js';
import type { Storage } from '../storage/storage.js';
import { EXIT_BAD_CONFIG, EXIT_OK, type CliCommand } from './cli-command.js';
import { loadConfigOrReport } from './load-config-or-report.js';
import { oneShotOutput } from './one-shot-output.js';
import { resolveConfigPath } from './resolve-config-path.js';

type Read = readonly DiscoveredRepository[] | { readonly error: unknown };

/**
 * `reposentry discover [-c FILE]`: reads every `discovery` entry's list now, through the same
 * clients as the daemon (stored ETags are used, new ones kept in memory), and prints what each
 * finds and what that would add to and drop from the stored lists. It writes nothing. Exit 0,
 * or 2 on a bad config; a list that could not be read is said so in the output.
 */
export const discoverCommand: CliCommand = {
  name: 'discover',
  summary: 'Show what each discovery entry finds now and what it would add and drop',
  usage: 'reposentry discover [-c FILE] [--json]',
  options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } },
  async run(args, io) {
    const file = resolveConfigPath(args, io);
    const config = await loadConfigOrReport(file, io);
    if (config === undefined) return EXIT_BAD_CONFIG;
    const { log, print } = oneShotOutput(config, io);
    if (config.discovery.length === 0) {
      print(`${file} has no discovery entries\n`);
      return EXIT_OK;
    }
    const storage = createStorage({ config: config.storage, log, readOnly: true });
    let opened: Storage | undefined;
    try {
      await storage.start();
      opened = storage;
    } catch (err) {
      io.stderr(
        `reposentry discover: no stored lists to compare with (${errorMessageOf(err)}); everything found counts as new\n`,
      );
    }
    try {
      const stored: DiscoveryListRecord[] = opened ? await opened.discoveryLists.list() : [];
      const reads = await readAll(config, opened, log);
      const previews = previewDiscovery(config, stored, reads);
      if (args.values.json === true) print(`${JSON.stringify({ entries: previews }, null, 2)}\n`);
      else print(previews.map(describe).join('\n'));
      // A list that cannot be read is reported in the output (and `error` with --json); as
      // SPEC section 3 says, only a bad config changes the exit code.
      return EXIT_OK;
    } finally {
      if (opened) await opened.stop(AbortSignal.timeout(5_000));
    }
  },
};

async function readAll(
  config: Config,
  storage: Storage | undefined,
  log: ReturnType<typeof oneShotOutput>['log'],
): Promise<Map<string, Read>> {
  // The daemon's clients; the stored ETags are used, new ones kept in memory.
  const opener = new RequestOpener();
  const clients = new GitClientHolder(config, {
    log,
    httpCache: new ReadThroughHttpCache(storage?.httpCache ?? new MemoryHttpCache()),
    githubOpener: opener,
  });
  const reads = new Map<string, Read>();
  const timeoutMs = Math.max(config.polling.timeoutMs, MIN_READ_TIMEOUT_MS);
  try {
    for (const entry of config.discovery) {
      const { signal, dispose } = timeoutSignal(timeoutMs + 1_000);
      try {
        const listing = await clients.current.listOwnerRepositories(sourceOf(entry), {
          signal,
          timeoutMs,
        });
        reads.set(entry.name, listing.repositories);
      } catch (err) {
        reads.set(entry.name, { error: err });
      } finally {
        dispose();
      }
    }
  } finally {
    opener.close();
  }
  return reads;
}

function describe(preview: EntryPreview): string {
  const lines = [
    `${preview.name} (${preview.provider} ${preview.owner} at ${preview.url})`,
    preview.error
      ? `  could not read the list: ${preview.error.code}: ${preview.error.message} (the daemon keeps its last list)`
      : `  ${preview.listed} listed, ${preview.watched.length} watched, ${preview.filteredOut} left out by the filters`,
  ];
  const section = (title: string, names: readonly string[]) => {
    if (names.length > 0) lines.push(`  ${title}:`, ...names.map((name) => `    ${name}`));
  };
  section('would add', preview.add);
  section('would drop', preview.drop);
  section('missing from this read (dropped when the next read misses them too)', [
    ...preview.missingOnce,
  ]);
  section(
    'already watched (not added again)',
    preview.overlaps.map((o) => `${o.path} (by ${o.watchedBy}, same ${o.reason})`),
  );
  section(
    'left out, settings not valid',
    preview.rejected.map((r) => `${r.path}: ${r.problems.join('; ')}`),
  );
  if (!preview.error && preview.add.length === 0 && preview.drop.length === 0)
    lines.push('  no change');
  return `${lines.join('\n')}\n`;
}
