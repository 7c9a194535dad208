import { describe, expect, it } from 'vitest';
import { configProblemsOf } from '../../test/helpers/config-problems.js';
import { loadConfigFromObject } from './load-config.js';

describe('polling.adaptive', () => {
  it('is off by default, and takes max_interval as a duration', () => {
    const config = loadConfigFromObject(
      { polling: { adaptive: { enabled: true, max_interval: '2h' } } },
      { env: {}, cwd: '/srv' },
    );
    expect(config.polling.adaptive).toEqual({ enabled: true, maxIntervalMs: 7_200_000 });
  });

  it('refuses a max_interval shorter than polling.interval, or not a duration', () => {
    expect(
      configProblemsOf({
        polling: { interval: '10m', adaptive: { enabled: true, max_interval: '5m' } },
      }),
    ).toEqual([
      'polling.adaptive.max_interval: is shorter than polling.interval (10m), so no repository could stretch its polls; set it to at least that',
    ]);
    expect(configProblemsOf({ polling: { adaptive: { max_interval: 'later' } } })).toEqual([
      expect.stringMatching(/^polling\.adaptive\.max_interval: /),
    ]);
  });
});
