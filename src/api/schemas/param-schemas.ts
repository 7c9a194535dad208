import { z } from 'zod';

/**
 * Schemas of request parameters as they arrive: text in the query string, the path or a header.
 * Each one is both the rule (what the API accepts, with the message a `bad-request` shows) and
 * its description in the OpenAPI document; parse-request.ts puts the parameter's name before
 * the message (`limit: "0" is not an integer from 1 to 1000`).
 */

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** Shows a user's input in an error message: bounded and on one line. */
export function quoted(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** The first thing wrong with a raw value as text; a path parameter that is absent is `missing`. */
function textProblem(raw: unknown, maxLength: number, missing?: string): string | undefined {
  if (typeof raw !== 'string') return missing ?? 'give it once, as a plain value';
  if (raw === '') return missing ?? 'must not be empty';
  if (raw.length > maxLength) return `longer than ${maxLength} characters`;
  if (CONTROL_CHARACTERS.test(raw)) return 'contains control characters';
  return undefined;
}

function text(maxLength: number, missing?: string) {
  const error = (issue: { input?: unknown }) => textProblem(issue.input, maxLength, missing);
  return z
    .string({ error })
    .min(1, { error })
    .max(maxLength, { error })
    .refine((value) => !CONTROL_CHARACTERS.test(value), { error });
}

/** A query parameter given once: non-empty, at most `maxLength` characters, no control characters. */
export function queryText(maxLength: number) {
  return text(maxLength);
}

/** A path parameter: present, at most `maxLength` characters, no control characters. */
export function pathText(maxLength: number) {
  return text(maxLength, 'missing');
}

/** A query parameter that is one of `values`. */
export function queryEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) =>
      textProblem(issue.input, 100) ?? `${quoted(issue.input)} is not one of ${values.join(', ')}`,
  });
}

/** A query parameter holding a decimal integer from `min` to `max`, read as a number. */
export function queryInteger(min: number, max: number) {
  const problem = (raw: unknown): string | undefined => {
    const wrong = textProblem(raw, 20);
    if (wrong !== undefined) return wrong;
    const value = Number(raw);
    return /^\d+$/.test(String(raw)) && value >= min && value <= max
      ? undefined
      : `${quoted(raw)} is not an integer from ${min} to ${max}`;
  };
  return z.preprocess(
    (raw) => (problem(raw) === undefined ? Number(raw) : raw),
    z
      .number({ error: (issue) => problem(issue.input) })
      .int()
      .min(min)
      .max(max),
  );
}

/** A query parameter holding an RFC 3339 date-time (offsets allowed), read as epoch milliseconds. */
export function queryDateTime() {
  return queryText(40)
    .refine((value) => RFC_3339.test(value) && !Number.isNaN(Date.parse(value)), {
      error: (issue) =>
        `${quoted(issue.input)} is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z`,
    })
    .transform((value) => Date.parse(value))
    .meta({ format: 'date-time' });
}
