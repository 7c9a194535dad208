import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';

/**
 * Writes `<dir>/config.yaml` for a daemon run as a child process: data in `dir`, the API on any
 * free loopback port, 1 s polling, deliveries to `listener`, plus the given sections (merged one
 * level deep over these defaults). Returns the file's path.
 */
export async function writeDaemonConfig(
  dir: string,
  listener: string,
  sections: Record<string, Record<string, unknown> | unknown[]> = {},
): Promise<string> {
  const defaults: Record<string, Record<string, unknown>> = {
    app: { data_dir: dir, health_check_port: 0 },
    api: { listen_address: '127.0.0.1' },
    polling: { interval: '1s', jitter: 0 },
    tekton: { event_listener_url: listener, retry_backoff: '100ms', max_retry_backoff: '300ms' },
  };
  const config: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(sections)) {
    config[key] = Array.isArray(value) ? value : { ...defaults[key], ...value };
  }
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml.dump(config));
  return file;
}
