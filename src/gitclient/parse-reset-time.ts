import { parseHttpDate, parseRetryAfter } from '../http/parse-retry-after.js';

/**
 * Reads a rate-limit reset header into a Date. Forges and proxies disagree on the form, so every
 * form in use is accepted: epoch seconds (GitHub `x-ratelimit-reset`, GitLab `RateLimit-Reset`),
 * epoch milliseconds, delta seconds (`Retry-After`, IETF `RateLimit-Reset`) and HTTP dates
 * (`Retry-After`, GitLab `RateLimit-ResetTime`, some `RateLimit-Reset`s). An epoch beyond what a
 * Date can hold is unreadable.
 */
export function parseResetTime(
  value: string | null | undefined,
  now: number = Date.now(),
): Date | undefined {
  const text = value?.trim() ?? '';
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= 1e12) return validDate(n); // epoch milliseconds
    if (n >= 1e9) return validDate(n * 1000); // epoch seconds
  }
  // An absolute date is kept even when already past: it says when the quota reset.
  const at = parseHttpDate(text);
  return at === undefined ? retryAfterDate(text, now) : new Date(at);
}

/**
 * `Retry-After` (delta seconds or an HTTP date, read by http/parse-retry-after.ts) as the Date it
 * names; a past one reads as now.
 */
export function retryAfterDate(
  value: string | null | undefined,
  now: number = Date.now(),
): Date | undefined {
  const ms = parseRetryAfter(value, now);
  return ms === undefined ? undefined : new Date(now + ms);
}

/** A non-negative integer header, or undefined. */
export function parseCount(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function validDate(ms: number): Date | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
