import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-command.js';
import { resolveConfigPath } from './resolve-config-path.js';

function io(env: NodeJS.ProcessEnv): CliIo {
  return { stdout: () => undefined, stderr: () => undefined, env, cwd: '/work/dir' };
}

describe('resolveConfigPath', () => {
  it('prefers -c/--config, relative to cwd', () => {
    expect(
      resolveConfigPath(
        { values: { config: 'a.yaml' }, positionals: [] },
        io({ REPOSENTRY_CONFIG: '/etc/rs.yaml' }),
      ),
    ).toBe('/work/dir/a.yaml');
  });

  it('falls back to $REPOSENTRY_CONFIG', () => {
    expect(
      resolveConfigPath({ values: {}, positionals: [] }, io({ REPOSENTRY_CONFIG: '/etc/rs.yaml' })),
    ).toBe('/etc/rs.yaml');
  });

  it('falls back to ./config.yaml', () => {
    expect(resolveConfigPath({ values: {}, positionals: [] }, io({ REPOSENTRY_CONFIG: '' }))).toBe(
      '/work/dir/config.yaml',
    );
  });
});
