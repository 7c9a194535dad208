import { describe, expect, it } from 'vitest';
import { mapGitError } from './map-git-error.js';

const context = { repo: 'app', secrets: ['tok-0123456789'] };
const exit = (stderr: string) => ({ kind: 'exit' as const, exitCode: 128, stderr });

describe('mapGitError', () => {
  it('reports authentication failures as forge-unauthorized', () => {
    expect(
      mapGitError(
        exit("fatal: could not read Username for 'https://h': terminal prompts disabled\n"),
        context,
      ).code,
    ).toBe('forge-unauthorized');
    expect(
      mapGitError(exit("fatal: Authentication failed for 'https://h/app.git/'\n"), context).code,
    ).toBe('forge-unauthorized');
  });

  it('reports missing repositories as forge-not-found', () => {
    expect(
      mapGitError(exit("fatal: '/x.git' does not appear to be a git repository\n"), context).code,
    ).toBe('forge-not-found');
  });

  it('marks network trouble retryable git-command-failed and timeouts git-timeout', () => {
    const err = mapGitError(
      exit("fatal: unable to access 'https://h/': Could not resolve host: h\n"),
      context,
    );
    expect(err).toMatchObject({ code: 'git-command-failed', retryable: true });
    expect(mapGitError({ kind: 'timeout', timeoutMs: 500 }, context)).toMatchObject({
      code: 'git-timeout',
    });
  });

  it('scrubs secrets and URL credentials from quoted stderr', () => {
    const err = mapGitError(exit('fatal: oops https://u:pw@h/ tok-0123456789\n'), context);
    expect(err.message).not.toContain('tok-0123456789');
    expect(err.message).not.toContain('u:pw');
  });

  it('scrubs a secret broken over two lines of stderr, and its Basic-auth base64', () => {
    const basic = Buffer.from('x-access-token:tok-0123456789').toString('base64');
    const err = mapGitError(
      exit(`fatal: token tok-01234\n    56789 refused, header ${basic}\n`),
      context,
    );
    expect(err.message).toBe(
      'git ls-remote for repository app failed: fatal: token [REDACTED] refused, header [REDACTED]',
    );
  });
});
