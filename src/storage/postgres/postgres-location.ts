import { redactCredentials, redactUrl, urlCredentials } from '../../logging/redact.js';

/**
 * Where a PostgreSQL database is, for messages, logs and health: its connection string without
 * any credential, and the credentials themselves so text about it can be scrubbed of them.
 */
export interface PostgresLocation {
  /** The connection string with `user:password@` and `?password=` redacted. */
  readonly text: string;
  /** `text`-safe version of any message: credentials of the URL, and URL userinfo, removed. */
  scrub(message: string): string;
}

/**
 * The secrets of a connection string: its password (in the userinfo or a `?password=`). Unlike a
 * forge URL's `token@`, a database user name alone is no credential and stays readable in text.
 */
function passwordsOf(url: string): string[] {
  let user: string | undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password === '') user = decodeURIComponent(parsed.username);
  } catch {
    return [];
  }
  return urlCredentials(url).filter((value) => value !== user);
}

export function postgresLocation(url: string): PostgresLocation {
  const secrets = passwordsOf(url);
  const scrub = (message: string): string => redactCredentials(message, secrets);
  return { text: scrub(redactUrl(url)), scrub };
}
