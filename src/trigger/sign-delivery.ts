import { createHmac } from 'node:crypto';
import type { ResolvedPayloadFormat } from '../config/config-types.js';

/**
 * The headers added to a delivery at send time: the attempt number, and the proof that the
 * sender knows `tekton.secret`, in the form the matching Tekton interceptor checks.
 * - `github`, `cloudevents`, `reposentry`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
 *   exact body>` plus `X-Hub-Signature: sha1=<hex HMAC-SHA1>`, as GitHub itself sends both. The
 *   SHA-1 form is for Tekton Triggers releases whose GitHub interceptor reads only
 *   `X-Hub-Signature`. For cloudevents/reposentry the same headers let a Tekton GitHub interceptor
 *   without `eventTypes` validate the delivery (see deployments/tekton/README.md).
 * - `gitlab`: `X-Gitlab-Token: <secret>`, compared by the Tekton GitLab interceptor (GitLab does
 *   not sign its hooks).
 * Without a secret (undefined or empty) no signature or token header is added.
 */
export function signDelivery(
  format: ResolvedPayloadFormat,
  body: string | Uint8Array,
  secret: string | undefined,
  attempt: number,
): Record<string, string> {
  const headers: Record<string, string> = { 'X-RepoSentry-Delivery-Attempt': String(attempt) };
  if (secret === undefined || secret === '') return headers;
  if (format === 'gitlab') {
    headers['X-Gitlab-Token'] = secret;
    return headers;
  }
  headers['X-Hub-Signature-256'] = `sha256=${hmacHex('sha256', secret, body)}`;
  headers['X-Hub-Signature'] = `sha1=${hmacHex('sha1', secret, body)}`;
  return headers;
}

function hmacHex(algorithm: 'sha1' | 'sha256', secret: string, body: string | Uint8Array): string {
  const hmac = createHmac(algorithm, secret);
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return hmac.digest('hex');
}
