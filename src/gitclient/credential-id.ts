import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible name for a credential, for logs and metrics:
 * `sha256:<8 hex>` or `anonymous`. The token itself never leaves the request headers.
 */
export function credentialId(token: string | undefined): string {
  if (token === undefined || token === '') return 'anonymous';
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}
