import type { Config } from '../config/config-types.js';
import { withStoredDiscovered } from '../discovery/stored-lists.js';
import { errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import { createStorage } from '../storage/create-storage.js';
import type { CliIo } from './cli-command.js';

/**
 * The config with the repositories its discovery entries found, as stored by the daemon (read
 * only); the file's config alone, with a note, when the database cannot be read.
 */
export async function readDiscovered(
  config: Config,
  command: string,
  log: Logger,
  io: CliIo,
): Promise<Config> {
  if (config.discovery.length === 0) return config;
  const storage = createStorage({ config: config.storage, log, readOnly: true });
  try {
    await storage.start();
    return await withStoredDiscovered(config, storage.discoveryLists);
  } catch (err) {
    io.stderr(
      `reposentry ${command}: the repositories discovery found are not known (${errorMessageOf(err)})\n`,
    );
    return config;
  } finally {
    await storage.stop(AbortSignal.timeout(5_000)).catch(() => undefined);
  }
}
