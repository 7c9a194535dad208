import type { Config, RepositoryConfig } from '../config/config-types.js';
import type { CliIo } from './cli-command.js';

/**
 * The repositories a command works on: every enabled one, or the one `--repository NAME` names
 * (even when disabled: naming it is asking for it).
 * An unknown name is reported on stderr with the names that exist; resolves to undefined then.
 */
export function selectRepositories(
  config: Config,
  name: unknown,
  io: CliIo,
): readonly RepositoryConfig[] | undefined {
  if (typeof name !== 'string') return config.repositories.filter((repo) => repo.enabled);
  const found = config.repositories.find((repo) => repo.name === name);
  if (found) return [found];
  const known = config.repositories.map((repo) => repo.name).join(', ');
  io.stderr(`--repository: no repository named '${name}' in the config (known: ${known})\n`);
  return undefined;
}
