import { ReposentryError } from '../errors/reposentry-error.js';

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function badRequest(message: string): ReposentryError {
  return new ReposentryError('bad-request', message);
}

/** Shows a user's input in an error message: bounded and on one line. */
export function quoted(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(shown);
}

/**
 * Reads a request's query string strictly: an unknown parameter, a parameter given twice, or a
 * value of the wrong shape is a `bad-request` naming the parameter.
 */
export class QueryReader {
  constructor(
    private readonly query: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const name of Object.keys(query)) {
      if (!allowed.includes(name)) {
        throw badRequest(
          `${quoted(name)} is not a query parameter here; known: ${allowed.join(', ') || 'none'}`,
        );
      }
    }
  }

  string(name: string, maxLength: number): string | undefined {
    const value = this.query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badRequest(`${name}: give it once, as a plain value`);
    if (value === '') throw badRequest(`${name}: must not be empty`);
    if (value.length > maxLength) throw badRequest(`${name}: longer than ${maxLength} characters`);
    if (CONTROL_CHARACTERS.test(value)) throw badRequest(`${name}: contains control characters`);
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name, 100);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value))
      throw badRequest(`${name}: ${quoted(value)} is not one of ${values.join(', ')}`);
    return value as T;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.string(name, 20);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw badRequest(`${name}: ${quoted(value)} is not an integer from ${min} to ${max}`);
    return Number(value);
  }

  /** An RFC 3339 date-time (`2026-01-31T12:00:00Z`, offsets allowed), as epoch milliseconds. */
  dateTime(name: string): number | undefined {
    const value = this.string(name, 40);
    if (value === undefined) return undefined;
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
    const at = Date.parse(value);
    if (!rfc3339.test(value) || Number.isNaN(at))
      throw badRequest(
        `${name}: ${quoted(value)} is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z`,
      );
    return at;
  }
}

/** A path parameter: non-empty, bounded, no control characters; else `bad-request`. */
export function pathParam(
  value: unknown,
  name: string,
  maxLength: number,
  pattern?: RegExp,
): string {
  if (typeof value !== 'string' || value === '') throw badRequest(`${name}: missing`);
  if (value.length > maxLength) throw badRequest(`${name}: longer than ${maxLength} characters`);
  if (CONTROL_CHARACTERS.test(value)) throw badRequest(`${name}: contains control characters`);
  if (pattern && !pattern.test(value))
    throw badRequest(`${name}: ${quoted(value)} is not a valid ${name}`);
  return value;
}

export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
