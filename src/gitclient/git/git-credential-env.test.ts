import { describe, expect, it } from 'vitest';
import { buildGitInvocation } from './git-credential-env.js';

describe('buildGitInvocation', () => {
  const token = 'tok-0123456789';

  it('passes the token as a Basic extraHeader scoped to the origin, never in the URL', () => {
    const inv = buildGitInvocation(
      'https://git.example.com:8443/org/app.git',
      { username: 'x-access-token', token },
      {},
    );
    expect(inv.url).toBe('https://git.example.com:8443/org/app.git');
    expect(inv.env.GIT_CONFIG_COUNT).toBe('1');
    expect(inv.env.GIT_CONFIG_KEY_0).toBe('http.https://git.example.com:8443/.extraHeader');
    expect(inv.env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
    );
    expect(inv.env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(inv.carriesCredentials).toBe(true);
  });

  it('moves user:password out of the URL (the URL user wins, its password is the token fallback)', () => {
    const inv = buildGitInvocation(
      'https://alice:s3cret-pass@git.example.com/app.git',
      undefined,
      {},
    );
    expect(inv.url).toBe('https://git.example.com/app.git');
    expect(inv.env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`,
    );
    expect(inv.secrets).toContain('s3cret-pass');
  });

  it('drops ambient git variables that could redirect or trace git', () => {
    const inv = buildGitInvocation('file:///srv/app.git', undefined, {
      PATH: '/usr/bin',
      GIT_DIR: '/elsewhere',
      GIT_TRACE_CURL: '1',
      GIT_CONFIG_COUNT: '3',
      GIT_SSH_COMMAND: 'ssh -i key',
    });
    expect(inv.env).toMatchObject({
      PATH: '/usr/bin',
      GIT_SSH_COMMAND: 'ssh -i key',
      GIT_TERMINAL_PROMPT: '0',
    });
    expect(inv.env.GIT_DIR).toBeUndefined();
    expect(inv.env.GIT_TRACE_CURL).toBeUndefined();
    expect(inv.env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(inv.carriesCredentials).toBe(false);
  });

  it('gives no credentials to ssh and file URLs', () => {
    const inv = buildGitInvocation('git@github.com:org/app.git', { username: 'git', token }, {});
    expect(inv.url).toBe('git@github.com:org/app.git');
    expect(JSON.stringify(inv.env)).not.toContain(token);
    expect(inv.carriesCredentials).toBe(false);
  });

  it('carries no credentials to an http(s) URL without a token', () => {
    const inv = buildGitInvocation('https://git.example.com/app.git', undefined, {});
    expect(inv.env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(inv.carriesCredentials).toBe(false);
  });
});
