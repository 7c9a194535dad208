/** The latest instant a Date can hold (ECMAScript time values end at ±8.64e15 ms). */
const LATEST_TIME_MS = 8.64e15;
/** Delay-seconds; a negative or fractional number is read too, not an exponent or hex. */
const SECONDS = /^-?\d+(?:\.\d+)?$/;
/** A time of day: every HTTP-date form has one, a bare number or `12 Mar` has not. */
const TIME_OF_DAY = /\d:\d\d/;

/**
 * How long `Retry-After` asks to wait, in milliseconds from `nowMs`: delay-seconds (`120`; a
 * fraction such as `1.5` is read too) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`). A date or
 * a negative delay already past gives 0; a delay beyond what a Date can hold is cut to it, so
 * `nowMs + result` is always a valid Date. Anything else (absent, empty, garbage) is undefined.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const text = value?.trim() ?? '';
  let delayMs: number;
  if (SECONDS.test(text)) {
    delayMs = Number(text) * 1000;
  } else {
    const at = parseHttpDate(text);
    if (at === undefined) return undefined;
    delayMs = at - nowMs;
  }
  return Math.min(Math.max(0, Math.ceil(delayMs)), LATEST_TIME_MS - nowMs);
}

/**
 * An HTTP-date (IMF-fixdate, RFC 850 or asctime; ISO 8601 is read too) as epoch milliseconds, or
 * undefined for anything without a time of day or that no Date can hold.
 */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  const at = TIME_OF_DAY.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}
