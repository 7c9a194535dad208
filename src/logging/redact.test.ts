import { describe, expect, it } from 'vitest';
import {
  credentialHeaderValues,
  redactCredentials,
  redactSecrets,
  redactUrl,
  redactUrlsInText,
  urlCredentials,
} from './redact.js';
import { SecretRegistry } from './secret-registry.js';

const TOKEN = 'ghp_Sup3rS3cretT0ken42';
const LONG = 'glpat-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRS';
const ODD = 'p@ss:w0rd/+';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('redactUrl and redactUrlsInText', () => {
  it.each([
    // userinfo
    [
      'user:pass@',
      'https://user:pass@git.example/org/repo.git',
      'https://[REDACTED]@git.example/org/repo.git',
    ],
    ['token@', 'https://ghp_abc123@github.com/o/r', 'https://[REDACTED]@github.com/o/r'],
    ['%40 in the password', 'https://u:p%40ss@h.example/x', 'https://[REDACTED]@h.example/x'],
    ['a raw @ in the password', 'https://u:p@ss@h.example/x', 'https://[REDACTED]@h.example/x'],
    ['an upper-case scheme', 'HTTPS://u:p@h.example/', 'HTTPS://[REDACTED]@h.example/'],
    ['a user name alone', 'https://robot@h.example/hook', 'https://[REDACTED]@h.example/hook'],
    [
      'ssh:// with a user',
      'ssh://git@github.com/org/repo.git',
      'ssh://[REDACTED]@github.com/org/repo.git',
    ],
    ['IPv6 with credentials', 'http://u:p@[::1]:8080/x', 'http://[REDACTED]@[::1]:8080/x'],
    ['an empty userinfo', 'https://@h.example/', 'https://[REDACTED]@h.example/'],
    // an @ that is not userinfo
    ['IPv6 without credentials', 'http://[::1]:8080/x@y', 'http://[::1]:8080/x@y'],
    ['an @ in the path', 'https://gitlab.example/users/@me', 'https://gitlab.example/users/@me'],
    [
      'an @ in the path after credentials',
      'https://u:p@h.example/a@b',
      'https://[REDACTED]@h.example/a@b',
    ],
    [
      'an @ in the query',
      'https://h.example?from=a@b.example',
      'https://h.example?from=a@b.example',
    ],
    ['an @ in the fragment', 'https://h.example#a@b', 'https://h.example#a@b'],
    // scp-like SSH remotes: `git@` is the user git logs in as, not a secret
    ['scp-like SSH', 'git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
    ['an e-mail address', 'ops@example.com', 'ops@example.com'],
    ['a URL without credentials', 'https://github.com/o/r', 'https://github.com/o/r'],
    // tokens in query strings: the names the logger's key denylist masks
    [
      '?private_token=',
      'https://gl.example/api/v4/projects?private_token=glpat-xyz&page=2',
      'https://gl.example/api/v4/projects?private_token=[REDACTED]&page=2',
    ],
    [
      '?access_token=',
      'https://api.example/x?access_token=abc123',
      'https://api.example/x?access_token=[REDACTED]',
    ],
    [
      '&token= before a fragment',
      'https://h.example/x?a=1&token=abc#top',
      'https://h.example/x?a=1&token=[REDACTED]#top',
    ],
    [
      'a name ending in token or secret',
      'https://h.example/x?refreshToken=r1&client_secret=s2',
      'https://h.example/x?refreshToken=[REDACTED]&client_secret=[REDACTED]',
    ],
    [
      'both userinfo and a query token',
      'https://u:p@h.example/x?token=t',
      'https://[REDACTED]@h.example/x?token=[REDACTED]',
    ],
    [
      'parameters that are not credentials',
      'https://h.example/x?ref=main&tokens=5&page=2',
      'https://h.example/x?ref=main&tokens=5&page=2',
    ],
    ['an empty token', 'https://h.example/x?token=&page=2', 'https://h.example/x?token=&page=2'],
  ])('%s', (_what, input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrlsInText(input)).toBe(expected);
    expect(redactUrlsInText(`fatal: '${input}': failed`)).toBe(`fatal: '${expected}': failed`);
  });

  it('reads a configured URL the way the URL parser does, white space in the password too', () => {
    expect(redactUrl('https://u:pa ss@h.example/x')).toBe('https://[REDACTED]@h.example/x');
  });
});

describe('redactUrlsInText', () => {
  it.each([
    [
      "git's error message",
      "fatal: unable to access 'https://x-access-token:ghp_abc@github.com/o/r.git/': The requested URL returned error: 403",
      "fatal: unable to access 'https://[REDACTED]@github.com/o/r.git/': The requested URL returned error: 403",
    ],
    [
      'two URLs',
      'from https://a:b@h1/x to http://c@h2/y',
      'from https://[REDACTED]@h1/x to http://[REDACTED]@h2/y',
    ],
    [
      'scp-like SSH',
      'cloning git@gitlab.example:g/r.git failed',
      'cloning git@gitlab.example:g/r.git failed',
    ],
    [
      'a URL that ends before a later @',
      'see https://h.example then mail a@b',
      'see https://h.example then mail a@b',
    ],
    [
      'a text that begins with a URL',
      'https://h.example is down, mail ops@example.com',
      'https://h.example is down, mail ops@example.com',
    ],
    [
      'a URL on its own line',
      'first\nhttps://h.example\nmail a@b',
      'first\nhttps://h.example\nmail a@b',
    ],
    [
      'a URL in JSON',
      '{"url":"https://u:p@h.example/x"}',
      '{"url":"https://[REDACTED]@h.example/x"}',
    ],
    [
      'a quoted query token',
      "'https://h.example/r.git?token=abc': 403",
      "'https://h.example/r.git?token=[REDACTED]': 403",
    ],
  ])('%s', (_what, input, expected) => {
    expect(redactUrlsInText(input)).toBe(expected);
  });
});

describe('redactSecrets', () => {
  const secrets = new SecretRegistry([
    TOKEN,
    LONG,
    ODD,
    'abcd1234',
    'abcd1234efgh',
    'abc',
    'Bearer hdr-token-9',
  ]);

  it.each([
    ['the value', `token ${TOKEN} refused`, 'token [REDACTED] refused'],
    ['its base64', `seen ${base64(TOKEN)} here`, 'seen [REDACTED] here'],
    ['its base64url', `seen ${Buffer.from(ODD).toString('base64url')}`, 'seen [REDACTED]'],
    [
      'its base64 inside basic auth',
      `Basic ${base64(`x-access-token:${TOKEN}`)}`,
      'Basic [REDACTED]',
    ],
    [
      'its percent-encoding',
      `https://h/?q=${encodeURIComponent(ODD)}&x`,
      'https://h/?q=[REDACTED]&x',
    ],
    ['regex characters in it', `pw=${ODD}.`, 'pw=[REDACTED].'],
    ['a substring of a longer word', `hunter${TOKEN}2000`, 'hunter[REDACTED]2000'],
    [
      'one secret inside a longer one',
      'x abcd1234efgh y abcd1234 z',
      'x [REDACTED] y [REDACTED] z',
    ],
    [
      'split by a line break',
      `fatal: ${TOKEN.slice(0, 9)}\n${TOKEN.slice(9)} rest`,
      'fatal: [REDACTED] rest',
    ],
    [
      'split by CRLF and indentation',
      `a ${TOKEN.slice(0, 5)}  \r\n    ${TOKEN.slice(5)} b`,
      'a [REDACTED] b',
    ],
    ['its base64 wrapped at 76 columns', base64(LONG).replace(/.{76}/, '$&\n'), '[REDACTED]'],
    ['several lines, several secrets', `1 ${TOKEN}\n2 ${LONG}\n3`, '1 [REDACTED]\n2 [REDACTED]\n3'],
    ['the credential of a header value, alone', 'echo hdr-token-9.', 'echo [REDACTED].'],
    ['a value shorter than 4 characters', 'abc', 'abc'],
    ['nothing secret', 'all quiet', 'all quiet'],
  ])('redacts %s', (_what, input, expected) => {
    expect(redactSecrets(input, secrets)).toBe(expected);
  });

  it('takes a plain list as well as a registry', () => {
    expect(redactSecrets(`a ${TOKEN} b ${base64(TOKEN)}`, [TOKEN])).toBe(
      'a [REDACTED] b [REDACTED]',
    );
    expect(redactSecrets('unchanged', [])).toBe('unchanged');
  });
});

describe('redactCredentials', () => {
  it('removes registered secrets and then URL credentials', () => {
    expect(redactCredentials(`https://robot:${TOKEN}@h.example/x says ${TOKEN}`, [TOKEN])).toBe(
      'https://[REDACTED]@h.example/x says [REDACTED]',
    );
  });
});

describe('urlCredentials', () => {
  it.each([
    ['https://u:p%40ss@h/x', ['p@ss']],
    ['https://ghp_tok@h/x', ['ghp_tok']],
    ['https://h/x', []],
    ['postgres://rs:s3cr%3At@db:5432/rs?sslmode=require', ['s3cr:t']],
    ['postgres://db/rs?user=rs&password=pw%26x', ['pw&x']],
    ['git@github.com:o/r.git', []],
    ['not a url', []],
  ])('finds the secret in %s', (url, expected) => {
    expect(urlCredentials(url)).toEqual(expected);
  });
});

describe('credentialHeaderValues', () => {
  it('returns the values of credential headers', () => {
    expect(
      credentialHeaderValues({
        Authorization: 'Bearer b-1',
        'X-Gitlab-Token': 'g-2',
        'X-Api-Key': 'k-3',
        'X-Auth-User': 'robot',
        Cookie: 'session=c-4',
        'X-Hub-Signature-256': 'sha256=5',
        'Content-Type': 'application/json',
        'X-Team': 'platform',
        'X-Count': 3,
      }),
    ).toEqual(['Bearer b-1', 'g-2', 'k-3', 'robot', 'session=c-4', 'sha256=5']);
  });
});
