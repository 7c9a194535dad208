/**
 * The daemon of the events-API and drain scenarios: started on a database the bench wrote
 * beforehand, with its repositories configured but not polled (`enabled: false`), so it only
 * serves the API and delivers what is in the database.
 */
import { DAEMON_ENV, writeBenchConfig } from './bench-config.js';
import type { BenchContext } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { freePort, startDaemon, type DaemonChild } from './daemon-child.js';

/** Where the configured repositories point: nothing listens there, and nothing polls them. */
export const UNPOLLED_FORGE = {
  url: 'http://127.0.0.1:9',
  apiBaseUrl: 'http://127.0.0.1:9/api/v3',
} as const;

/** The URL of a repository as the seeded database and the config both name it. */
export const unpolledRepoUrl = (name: string): string => `${UNPOLLED_FORGE.url}/bench-org/${name}`;

/**
 * Spawns the daemon on `database` (not waiting for it to be ready), its config and other files in
 * `dir`.
 */
export async function startStoredStateDaemon(
  ctx: BenchContext,
  options: { dir: string; database: BenchDatabase; receiverUrl: string; repositories: number },
): Promise<DaemonChild> {
  const port = await freePort();
  const configFile = await writeBenchConfig({
    dir: options.dir,
    database: options.database,
    port,
    receiverUrl: options.receiverUrl,
    github: UNPOLLED_FORGE,
    repositories: options.repositories,
    interval: '1h',
    maxWorkers: ctx.options.maxWorkers,
    enabled: false,
  });
  return startDaemon(configFile, port, { runtime: ctx.runtime, env: DAEMON_ENV });
}
