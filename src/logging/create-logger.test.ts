import { mkdtemp, readFile, rm, utimes, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { ReposentryError } from '../errors/reposentry-error.js';
import { createLogger } from './create-logger.js';
import { pruneRotatedLogs } from './prune-rotated-logs.js';
import { SecretRegistry } from './secret-registry.js';

const TOKEN = 'ghp_Sup3rS3cretT0kenValue1234567890';
const SECRET = 'webhook-shared-secret-9f8e7d';

function registry(): SecretRegistry {
  const secrets = new SecretRegistry();
  secrets.registerAll([TOKEN, SECRET]);
  return secrets;
}

describe('createLogger', () => {
  it('never writes a registered secret, whether in the message, a field, an error or base64', () => {
    const captured = createCaptureLogger({ secrets: registry() });
    const child = captured.log.child({ component: 'poller' });
    child.info(`cloning with ${TOKEN}`);
    child.warn('Poll failed', {
      repo: 'my-app',
      error: new ReposentryError('forge-unauthorized', `token ${TOKEN} was refused`),
      detail: { nested: [`x-access-token:${TOKEN}`] },
      basic: Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
      plainBase64: Buffer.from(SECRET).toString('base64'),
    });
    child.error(new Error(`signature secret ${SECRET} rejected`));
    const text = captured.text();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect(text).toContain('[REDACTED]');
    const warn = captured.entries().find((e) => e.message === 'Poll failed');
    expect(warn).toMatchObject({ level: 'warn', component: 'poller', repo: 'my-app' });
    expect(warn?.error).toMatchObject({ code: 'forge-unauthorized' });
  });

  it('spends nothing on entries below its level, and follows a level change', () => {
    class CountingRegistry extends SecretRegistry {
      redactions = 0;
      override redact(text: string): string {
        this.redactions += 1;
        return super.redact(text);
      }
    }
    const secrets = new CountingRegistry();
    const captured = createCaptureLogger({ secrets, level: 'warn' });
    const child = captured.log.child({ component: 'poller' });
    for (let i = 0; i < 100; i += 1) child.debug('Polled', { repo: 'my-app', detail: 'unchanged' });
    expect(secrets.redactions).toBe(0);
    expect(captured.entries()).toEqual([]);
    captured.log.level = 'debug';
    child.debug('Polled', { repo: 'my-app' });
    expect(secrets.redactions).toBeGreaterThan(0);
    expect(captured.entries()).toMatchObject([{ level: 'debug', message: 'Polled' }]);
  });

  it('masks denylisted keys and credentials in URLs even for unregistered values', () => {
    const captured = createCaptureLogger();
    captured.log.info('Request', {
      headers: { Authorization: 'Bearer abcdefghijklmnop', 'User-Agent': 'RepoSentry/1' },
      url: 'https://user:hunter2-password@git.example.com/org/repo.git',
      apiToken: 'not-registered-but-named-token',
    });
    const text = captured.text();
    expect(text).not.toContain('abcdefghijklmnop');
    expect(text).not.toContain('hunter2-password');
    expect(text).not.toContain('not-registered-but-named-token');
    expect(text).toContain('git.example.com/org/repo.git');
    expect(text).toContain('RepoSentry/1');
  });

  it('does not log an error cause or request object', () => {
    const captured = createCaptureLogger();
    const cause = Object.assign(new Error('inner'), { request: { headers: { cookie: 'c=1' } } });
    captured.log.error('Failed', {
      error: new ReposentryError('forge-unavailable', 'outer', { cause }),
    });
    expect(captured.text()).not.toContain('inner');
    expect(captured.text()).not.toContain('cookie');
  });

  it('writes human-readable text lines when the format is text', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({
      level: 'info',
      format: 'text',
      secrets: registry(),
      transports: [new winston.transports.Stream({ stream })],
    });
    log.child({ component: 'trigger' }).info('Delivered', { eventId: 'e1', secret: SECRET });
    log.debug('hidden at info level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ info \[trigger\] Delivered eventId=e1 secret=\[REDACTED\]/);
  });
});

describe('log file', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('also writes redacted lines to app.log_file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-log-'));
    const file = path.join(dir, 'reposentry.log');
    const log = createLogger({
      level: 'info',
      format: 'json',
      secrets: registry(),
      transports: [],
      file,
      rotation: { maxSizeMb: 1, maxBackups: 2, maxAgeDays: 0, compress: false },
    });
    log.info(`started with ${TOKEN}`);
    await new Promise<void>((resolve) => {
      log.on('finish', resolve);
      log.end();
    });
    const content = await readFile(file, 'utf8');
    expect(content).toContain('started with [REDACTED]');
    expect(content).not.toContain(TOKEN);
  });

  it('prunes rotated files older than max_age and keeps the live file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rs-log-'));
    const file = path.join(dir, 'reposentry.log');
    const old = Date.now() / 1000 - 10 * 86400;
    for (const name of ['reposentry.log', 'reposentry1.log', 'reposentry2.log.gz', 'other.log']) {
      await writeFile(path.join(dir, name), 'x');
      await utimes(path.join(dir, name), old, old);
    }
    await writeFile(path.join(dir, 'reposentry3.log'), 'fresh');
    const removed = await pruneRotatedLogs(file, 7 * 86400 * 1000);
    expect(removed.map((f) => path.basename(f)).sort()).toEqual([
      'reposentry1.log',
      'reposentry2.log.gz',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['other.log', 'reposentry.log', 'reposentry3.log']);
  });
});
