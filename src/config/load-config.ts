import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildConfig } from './build-config.js';
import { ConfigError } from './config-error.js';
import type { Config } from './config-types.js';
import { parseYaml, readErrorReason } from './parse-yaml.js';

export interface LoadConfigOptions {
  /** The main YAML file; relative paths resolve against `cwd`. */
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  /** Base of relative paths in the file (data_dir, log_file, ...); default process.cwd(). */
  readonly cwd?: string;
}

export interface LoadFromObjectOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Recorded as Config.source.file. */
  readonly file?: string;
}

/**
 * Reads, validates and resolves the config file (and its repositories_config file). Throws a
 * ConfigError listing every problem, including an unreadable or malformed file.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read config file: ${readErrorReason(err)}`], {
      cause: err,
    });
  }
  const parsed = parseYaml(text, file);
  if ('problem' in parsed) throw new ConfigError([parsed.problem]);
  return buildConfig(parsed.value, { env: options.env, cwd, file, readFile: readUtf8 });
}

/** The same validation for a config built in code (the demo); raw uses the file's snake_case keys. */
export function loadConfigFromObject(raw: unknown, options: LoadFromObjectOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  return buildConfig(raw, {
    env: options.env,
    cwd,
    ...(options.file === undefined ? {} : { file: path.resolve(cwd, options.file) }),
    readFile: readUtf8,
  });
}

function readUtf8(file: string): string {
  return readFileSync(file, 'utf8');
}
