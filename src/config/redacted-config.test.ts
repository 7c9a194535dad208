import { describe, expect, it } from 'vitest';
import { loadConfigFromObject } from './load-config.js';
import { redactedConfig } from './redacted-config.js';

describe('redactedConfig', () => {
  const config = loadConfigFromObject(
    {
      api: { auth_token: 'api-token-secret-1' },
      tekton: {
        event_listener_url: 'https://el-user:el-pass-secret@el.example/hook',
        secret: 'hmac-secret-value',
        headers: { Authorization: 'Bearer header-secret-2', 'X-Team': 'platform' },
      },
      repositories: [
        {
          name: 'a',
          url: 'https://github.com/o/a',
          provider: 'github',
          token: '${GITHUB_TOKEN}',
          tag_regex: '^v',
        },
        { name: 'b', url: 'https://gitlab.com/g/b', provider: 'gitlab' },
      ],
    },
    { env: { GITHUB_TOKEN: 'ghp_env_secret_3' } },
  );
  const view = redactedConfig(config);
  const text = JSON.stringify(view);

  it('contains no secret value anywhere', () => {
    for (const secret of config.secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('secrets');
  });

  it('marks set secrets as [REDACTED] and omits unset ones', () => {
    expect(view).toMatchObject({
      api: { authToken: '[REDACTED]' },
      tekton: {
        secret: '[REDACTED]',
        headers: { Authorization: '[REDACTED]', 'X-Team': 'platform' },
      },
      repositories: [{ name: 'a', token: '[REDACTED]' }, { name: 'b' }],
    });
    expect((view.repositories as Record<string, unknown>[])[1]).not.toHaveProperty('token');
  });

  it('keeps regex patterns as text and drops the compiled regexes', () => {
    const [first] = view.repositories as Record<string, unknown>[];
    expect(first).toMatchObject({ branchPattern: '.*', tagPattern: '^v' });
    expect(first).not.toHaveProperty('branchRegex');
    expect(JSON.parse(text)).toEqual(view);
  });

  it('masks credentials in URLs', () => {
    expect((view.tekton as Record<string, unknown>).eventListenerUrl).toBe(
      'https://[REDACTED]@el.example/hook',
    );
  });
});
