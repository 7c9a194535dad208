import { ConfigError } from '../../src/config/config-error.js';
import { loadConfigFromObject } from '../../src/config/load-config.js';

/** Every problem the config loader reports for `raw` (as `path.to.key: reason`); [] when valid. */
export function configProblemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    loadConfigFromObject(raw, { env, cwd: '/srv' });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
