import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadShippedConfig, unknownConfigKeys } from './shipped-config.js';

interface ComposeVolume {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
}

interface ComposeService {
  build: { context: string; dockerfile: string };
  command: string[];
  environment: Record<string, string>;
  ports: string[];
  volumes: ComposeVolume[];
  read_only: boolean;
  tmpfs: string[];
  cap_drop: string[];
  security_opt: string[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const compose = yaml.load(readFileSync(path.join(ROOT, 'docker-compose.yaml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const service = compose.services.reposentry!;
const ENV_EXAMPLE = readFileSync(path.join(ROOT, 'deployments/compose/env.example'), 'utf8');

/** The KEY=value lines of the env example. */
const exampleEnv = Object.fromEntries(
  ENV_EXAMPLE.split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

/** The container environment compose builds from .env: `${VAR:-default}` resolved. */
function containerEnv(dotenv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment).map(([name, value]) => [
      name,
      value.replace(
        /\$\{(\w+)(?::-([^}]*))?\}/g,
        (_, variable: string, fallback?: string) => dotenv[variable] || (fallback ?? ''),
      ),
    ]),
  );
}

describe('docker-compose.yaml', () => {
  it('builds the image from the Dockerfile and runs the daemon on /config/config.yaml', () => {
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(existsSync(path.join(ROOT, service.build.dockerfile))).toBe(true);
    expect(service.command).toEqual(['run', '-c', '/config/config.yaml']);
  });

  it('runs with a read-only root filesystem, a tmpfs /tmp, no capabilities', () => {
    expect(service.read_only).toBe(true);
    expect(service.tmpfs).toContain('/tmp');
    expect(service.cap_drop).toEqual(['ALL']);
    expect(service.security_opt).toContain('no-new-privileges:true');
  });

  it('keeps /data in a named volume and mounts the config directory read-only', () => {
    const data = service.volumes.find((v) => v.target === '/data');
    expect(data).toMatchObject({ type: 'volume' });
    expect(Object.keys(compose.volumes)).toContain(data!.source);
    const config = service.volumes.find((v) => v.target === '/config');
    expect(config).toMatchObject({ type: 'bind', read_only: true });
    expect(existsSync(path.join(ROOT, config!.source, 'config.yaml'))).toBe(true);
  });

  it('publishes the API on loopback only', () => {
    expect(service.ports).toEqual(['127.0.0.1:${REPOSENTRY_PORT:-8080}:8080']);
  });

  it('documents in env.example every variable it reads, with placeholders only', () => {
    const text = readFileSync(path.join(ROOT, 'docker-compose.yaml'), 'utf8');
    const read = new Set([...text.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    expect(Object.keys(exampleEnv).sort()).toEqual([...read].sort());
    for (const name of [
      'GITHUB_TOKEN',
      'GITLAB_TOKEN',
      'TEKTON_WEBHOOK_SECRET',
      'REPOSENTRY_API_TOKEN',
    ]) {
      expect(exampleEnv[name], name).toBe('');
      expect(text, `${name} is documented in the header`).toMatch(
        new RegExp(`^#\\s+${name}\\s`, 'm'),
      );
    }
  });
});

describe('deployments/compose/config.yaml', () => {
  const raw = yaml.load(readFileSync(path.join(ROOT, 'deployments/compose/config.yaml'), 'utf8'));

  it('uses only configuration keys and keeps its state on the /data volume', () => {
    expect(unknownConfigKeys(raw)).toEqual([]);
    expect(raw).toMatchObject({
      app: { data_dir: '/data' },
      storage: { sqlite: { path: '/data/reposentry.db' } },
    });
  });

  it('is accepted by the daemon with the environment compose passes, .env absent or copied from env.example', () => {
    for (const dotenv of [{}, exampleEnv]) {
      const loaded = loadShippedConfig(raw, containerEnv(dotenv));
      expect(loaded).not.toHaveProperty('problems');
    }
  });

  it('is rejected when compose did not pass a variable it references (the check can fail)', () => {
    const env = containerEnv({});
    delete env.TEKTON_EVENT_LISTENER_URL;
    expect(loadShippedConfig(raw, env)).toEqual({
      problems: [
        'tekton.event_listener_url: environment variable TEKTON_EVENT_LISTENER_URL is not set',
      ],
    });
  });
});
