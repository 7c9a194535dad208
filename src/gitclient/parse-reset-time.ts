/**
 * Reads a rate-limit reset header into a Date. Forges and proxies disagree on the form, so every
 * form in use is accepted: epoch seconds (GitHub `x-ratelimit-reset`, GitLab `RateLimit-Reset`),
 * epoch milliseconds, delta seconds (`Retry-After`, IETF `RateLimit-Reset`) and HTTP dates
 * (`Retry-After`, GitLab `RateLimit-ResetTime`, some `RateLimit-Reset`s).
 */
export function parseResetTime(
  value: string | null | undefined,
  now: number = Date.now(),
): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= 1e12) return new Date(n); // epoch milliseconds
    if (n >= 1e9) return new Date(n * 1000); // epoch seconds
    return new Date(now + n * 1000); // delta seconds
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `Retry-After`: delta seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return new Date(now + Number(text) * 1000);
  return parseResetTime(text, now);
}

/** A non-negative integer header, or undefined. */
export function parseCount(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
