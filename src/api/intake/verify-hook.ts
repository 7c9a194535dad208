import { createHmac, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the secret>`. */
export function githubSignatureValid(
  body: Buffer,
  header: string | undefined,
  secret: string,
): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return sameSecret(header, expected);
}

/** GitLab: `X-Gitlab-Token` carries the secret token itself. */
export function gitlabTokenValid(header: string | undefined, secret: string): boolean {
  return header !== undefined && sameSecret(header, secret);
}
