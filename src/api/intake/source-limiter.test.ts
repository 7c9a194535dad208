import { describe, expect, it } from 'vitest';
import { SourceLimiter } from './source-limiter.js';

describe('SourceLimiter', () => {
  it('lets a source send 1,000 at once and 100 a second after that, each source on its own', () => {
    let now = 0;
    const limiter = new SourceLimiter(() => now);
    for (let i = 0; i < 1_000; i += 1) expect(limiter.take('10.0.0.1').ok).toBe(true);
    expect(limiter.take('10.0.0.1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('10.0.0.2').ok).toBe(true);
    now = 1_000;
    for (let i = 0; i < 100; i += 1) expect(limiter.take('10.0.0.1').ok).toBe(true);
    expect(limiter.take('10.0.0.1').ok).toBe(false);
  });
});
