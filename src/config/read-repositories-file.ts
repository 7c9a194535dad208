import { parseYaml, readErrorReason } from './parse-yaml.js';
import { showValue } from './schema-formats.js';

export interface RepositoriesFile {
  readonly repositories: unknown[];
  readonly problems: string[];
  readonly warnings: string[];
}

/**
 * Reads the optional `repositories_config` file: a mapping with `repositories:` (a list like the
 * main file's). The Go project's `global_settings` key is accepted with a warning.
 */
export function readRepositoriesFile(
  file: string,
  readFile: (file: string) => string,
): RepositoriesFile {
  const result: RepositoriesFile = { repositories: [], problems: [], warnings: [] };
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    result.problems.push(`repositories_config: cannot read ${file}: ${readErrorReason(err)}`);
    return result;
  }
  const parsed = parseYaml(text, file);
  if ('problem' in parsed) {
    result.problems.push(`repositories_config: ${parsed.problem}`);
    return result;
  }
  const doc = parsed.value;
  if (doc === undefined || doc === null) return result;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    result.problems.push(
      `repositories_config: ${file} must hold a mapping with repositories: (got ${showValue(doc)})`,
    );
    return result;
  }
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'repositories') {
      if (Array.isArray(value)) result.repositories.push(...(value as unknown[]));
      else if (value !== null)
        result.problems.push(`repositories_config.repositories: must be a list in ${file}`);
    } else if (key === 'global_settings') {
      result.warnings.push(
        'repositories_config.global_settings: accepted but has no effect; set enabled and the other options on each repository',
      );
    } else {
      result.problems.push(
        `repositories_config.${key}: unknown key in ${file} (expected repositories)`,
      );
    }
  }
  return result;
}
