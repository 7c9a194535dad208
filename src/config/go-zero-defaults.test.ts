import { describe, expect, it } from 'vitest';
import { loadConfigFromObject } from './load-config.js';

describe('Go "zero means default" values', () => {
  it('load with defaults and a warning, as the Go config init writes them', () => {
    const config = loadConfigFromObject(
      {
        app: { log_file_rotation: { max_size: 0 } },
        tekton: { event_listener_url: 'http://el:8080', retry_attempts: 0 },
        rate_limit: {
          github: { requests_per_hour: 0, burst: 0 },
          gitlab: { requests_per_second: 0, burst: 0 },
        },
        repositories: [{ name: 'app', url: 'https://github.com/org/app', provider: 'github' }],
      },
      { env: {} },
    );
    expect(config.tekton.retryAttempts).toBe(8);
    expect(config.rateLimit.github.requestsPerHour).toBe(4000);
    expect(config.rateLimit.gitlab.burst).toBe(10);
    expect(config.app.logFileRotation.maxSizeMb).toBe(100);
    expect(config.warnings).toContain(
      'tekton.retry_attempts: an empty or 0 value means "the default" (as in the Go RepoSentry); the default is used',
    );
  });

  it('still rejects other invalid values of those keys', () => {
    expect(() =>
      loadConfigFromObject(
        { tekton: { event_listener_url: 'http://el:8080', retry_attempts: -1 }, repositories: [] },
        { env: {} },
      ),
    ).toThrow(/tekton.retry_attempts/);
  });
});
