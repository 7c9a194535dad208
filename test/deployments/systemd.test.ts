import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadShippedConfig, unknownConfigKeys } from './shipped-config.js';

const run = promisify(execFile);
const DIR = path.resolve(import.meta.dirname, '../../deployments/systemd');
const UNIT_TEXT = readFileSync(path.join(DIR, 'reposentry.service'), 'utf8');
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const HAS_SYSTEMD_ANALYZE = existsSync(SYSTEMD_ANALYZE);

type Unit = Map<string, Map<string, string[]>>;

/** A unit file as section -> key -> values (a key may repeat); continuation lines joined. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

/** The effective (last) value of a key, as systemd reads single-valued settings. */
function value(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** `systemd-analyze verify` findings about one unit file (its own lines only). */
async function verify(unitText: string, dir: string): Promise<string[]> {
  const file = path.join(dir, 'reposentry.service');
  // The real ExecStart (node + /opt/reposentry) is not installed here: point it at /bin/true.
  await writeFile(file, unitText.replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true'));
  let output: string;
  try {
    const { stdout, stderr } = await run(SYSTEMD_ANALYZE, ['verify', '--man=no', file], {
      timeout: 20_000,
      env: { ...process.env, SYSTEMD_LOG_COLOR: '0' },
    });
    output = stdout + stderr;
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string; code?: unknown };
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}exit code ${String(failed.code)}`;
  }
  return output
    .split('\n')
    .filter((line) => line.includes('reposentry.service') || line.startsWith('exit code'));
}

describe('deployments/systemd/reposentry.service', () => {
  const unit = parseUnit(UNIT_TEXT);

  it('runs the daemon with the /etc/reposentry config, reloads on SIGHUP and restarts on failure only', () => {
    expect(value(unit, 'Service', 'Type')).toBe('simple');
    expect(value(unit, 'Service', 'ExecStart')).toMatch(
      /^\S+ (\S+reposentry(\.js)? )?run -c \/etc\/reposentry\/config\.yaml$/,
    );
    expect(value(unit, 'Service', 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(value(unit, 'Service', 'Restart')).toBe('on-failure');
    // exit code 2 = invalid config: restarting would loop on the same error
    expect(value(unit, 'Service', 'RestartPreventExitStatus')?.split(/\s+/)).toContain('2');
    expect(value(unit, 'Service', 'TimeoutStopSec')).toBe('30');
    expect(value(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('reads tokens from an optional EnvironmentFile and keeps state in its StateDirectory', () => {
    expect(value(unit, 'Service', 'EnvironmentFile')).toBe('-/etc/reposentry/reposentry.env');
    expect(value(unit, 'Service', 'StateDirectory')).toBe('reposentry');
    expect(value(unit, 'Service', 'WorkingDirectory')).toBe('/var/lib/reposentry');
    const dedicatedUser =
      value(unit, 'Service', 'DynamicUser') === 'yes' ||
      (value(unit, 'Service', 'User') ?? 'root') !== 'root';
    expect(dedicatedUser).toBe(true);
    expect(value(unit, 'Service', 'StandardOutput')).toBe('journal');
  });

  it('is hardened without the options that break node (the V8 JIT needs W+X memory)', () => {
    expect(value(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(value(unit, 'Service', 'ProtectSystem')).toBe('strict');
    expect(value(unit, 'Service', 'ProtectHome')).toBe('yes');
    expect(value(unit, 'Service', 'PrivateTmp')).toBe('yes');
    expect(value(unit, 'Service', 'CapabilityBoundingSet')).toBe('');
    expect(value(unit, 'Service', 'MemoryDenyWriteExecute')).not.toBe('yes');
  });

  describe('systemd-analyze verify', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'rs-systemd-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.skipIf(!HAS_SYSTEMD_ANALYZE)(
      'finds nothing wrong (skipped where systemd-analyze is not installed: apt-get install systemd)',
      async () => {
        expect(await verify(UNIT_TEXT, dir)).toEqual([]);
      },
    );

    it.skipIf(!HAS_SYSTEMD_ANALYZE)(
      'reports a broken setting (skipped where systemd-analyze is not installed)',
      async () => {
        const broken = UNIT_TEXT.replace('Restart=on-failure', 'Restart=sometimes');
        const findings = await verify(broken, dir);
        expect(findings.join('\n')).toMatch(/restart specifier.*sometimes/i);
      },
    );
  });
});

describe('deployments/systemd/reposentry.env', () => {
  const text = readFileSync(path.join(DIR, 'reposentry.env'), 'utf8');

  it('lists the variables the config uses, as placeholders only', () => {
    const assignments = text
      .split('\n')
      .map((line) => /^#?\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((match) => match !== null);
    expect(assignments.map((m) => m[1])).toEqual([
      'GITHUB_TOKEN',
      'GITLAB_TOKEN',
      'TEKTON_WEBHOOK_SECRET',
      'REPOSENTRY_API_TOKEN',
    ]);
    for (const match of assignments) expect(match[2]).toMatch(/^(|CHANGE_ME)$/);
  });
});

describe('deployments/systemd/config.yaml', () => {
  const raw = yaml.load(readFileSync(path.join(DIR, 'config.yaml'), 'utf8'));

  it('uses only configuration keys and loads with the tokens from reposentry.env', () => {
    expect(unknownConfigKeys(raw)).toEqual([]);
    const loaded = loadShippedConfig(raw);
    expect(loaded).not.toHaveProperty('problems');
    if ('config' in loaded) {
      expect(loaded.config.app.dataDir).toBe('/var/lib/reposentry');
      expect(loaded.config.warnings).toEqual([]);
    }
  });
});
