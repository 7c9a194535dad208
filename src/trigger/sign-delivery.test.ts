import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPayload } from './payloads/build-payload.js';
import { sampleChangeEvent } from './payloads/sample-change-event.js';
import { signDelivery } from './sign-delivery.js';

const SECRET = 'tekton-shared-secret-value';
const repo = { name: 'app', url: 'https://github.com/org/app', provider: 'github' } as const;
const event = sampleChangeEvent(repo, { detectedAt: new Date('2025-01-01T00:00:00Z') });

/** What a receiver (the Tekton GitHub interceptor) does: HMAC over the bytes it received. */
function verifies(
  header: string | undefined,
  algorithm: 'sha1' | 'sha256',
  bytes: Buffer,
): boolean {
  if (header === undefined) return false;
  const expected = `${algorithm}=${createHmac(algorithm, SECRET).update(bytes).digest('hex')}`;
  return (
    header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected))
  );
}

describe('signDelivery', () => {
  it.each(['github', 'cloudevents', 'reposentry'] as const)(
    '%s: signs the exact body bytes with HMAC-SHA256 (and SHA-1 for older interceptors)',
    (format) => {
      const { body } = buildPayload(format, event, { version: '1.0.0', extraHeaders: {} });
      const headers = signDelivery(format, body, SECRET, 1);
      const bytes = Buffer.from(body, 'utf8');
      expect(verifies(headers['X-Hub-Signature-256'], 'sha256', bytes)).toBe(true);
      expect(verifies(headers['X-Hub-Signature'], 'sha1', bytes)).toBe(true);
      // One changed byte no longer verifies.
      expect(verifies(headers['X-Hub-Signature-256'], 'sha256', Buffer.from(`${body} `))).toBe(
        false,
      );
    },
  );

  it('signs non-ASCII bodies over their UTF-8 bytes', () => {
    const body = JSON.stringify({ message: 'déjà vu ✓' });
    const headers = signDelivery('github', body, SECRET, 1);
    expect(verifies(headers['X-Hub-Signature-256'], 'sha256', Buffer.from(body, 'utf8'))).toBe(
      true,
    );
    expect(signDelivery('github', Buffer.from(body, 'utf8'), SECRET, 1)).toEqual(headers);
  });

  it('sends the secret as X-Gitlab-Token for gitlab and no HMAC', () => {
    const headers = signDelivery('gitlab', '{}', SECRET, 3);
    expect(headers).toEqual({ 'X-Gitlab-Token': SECRET, 'X-RepoSentry-Delivery-Attempt': '3' });
  });

  it.each([undefined, ''])('adds only the attempt number when the secret is %j', (secret) => {
    for (const format of ['github', 'gitlab', 'cloudevents', 'reposentry'] as const) {
      expect(signDelivery(format, '{}', secret, 2)).toEqual({
        'X-RepoSentry-Delivery-Attempt': '2',
      });
    }
  });

  it('changes only the attempt header between attempts', () => {
    const first = signDelivery('github', '{"a":1}', SECRET, 1);
    const second = signDelivery('github', '{"a":1}', SECRET, 2);
    expect(second['X-Hub-Signature-256']).toBe(first['X-Hub-Signature-256']);
    expect(second['X-RepoSentry-Delivery-Attempt']).toBe('2');
  });
});
