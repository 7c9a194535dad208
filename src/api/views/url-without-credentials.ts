/** A URL for display: `user:password@` replaced by `[REDACTED]@`; a non-URL is returned as is. */
export function urlWithoutCredentials(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1[REDACTED]@');
}
