import { REDACTED, SecretRegistry } from './secret-registry.js';

/**
 * The one place where secrets and credentials are removed from text (log lines, API views, config
 * problems, git's errors, delivery errors): registered secret values, credentials in URLs, and the
 * key denylist. Every other module calls these functions rather than carrying its own pattern.
 */

export { REDACTED };

/** Keys whose values are never logged, whatever they hold (compared case-insensitively). */
const DENYLIST = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'token',
  'auth_token',
  'authtoken',
  'access_token',
  'private-token',
  'private_token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'x-gitlab-token',
  'x-hub-signature-256',
  'apikey',
  'api_key',
];
const DENY = new Set(DENYLIST);
/** Header names whose values are credentials, beyond the denylist (`X-Api-Key`, `X-Auth-...`). */
const CREDENTIAL_HEADER = /auth|token|secret|api[-_]?key|passw(?:or)?d|cookie/i;

/** `scheme://`, not preceded by a scheme character (so `xhttps://` is read whole). */
const SCHEME = String.raw`(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)`;
/**
 * A value that is one URL: its userinfo runs to the last `@` before the path, query or fragment,
 * as the WHATWG URL parser reads it (`https://u:p@ss@host` has the password `p@ss`).
 */
const URL_USERINFO = new RegExp(String.raw`^${SCHEME}[^/?#]*@`, 'i');
/** In free text a URL also ends at white space: `see https://host, mail a@b` has no userinfo. */
const TEXT_USERINFO = new RegExp(String.raw`${SCHEME}[^\s/?#]*@`, 'gi');
/** A query parameter with a value; quotes end it (git quotes the URLs it prints). */
const QUERY_PARAMETER = /([?&])([^=&#\s]+)=([^&#\s"'<>`]+)/g;
const BEARER = /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

export function isDeniedKey(key: string): boolean {
  const lower = key.toLowerCase();
  return DENY.has(lower) || lower.endsWith('token') || lower.endsWith('secret');
}

/** The values of the credential headers among `headers`, to be registered as secrets. */
export function credentialHeaderValues(headers: Readonly<Record<string, unknown>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!isDeniedKey(name) && !CREDENTIAL_HEADER.test(name)) continue;
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    values.push(String(value));
  }
  return values;
}

/**
 * The password (or token used as user name) embedded in a URL, and a `?password=` parameter (as
 * libpq's connection URLs allow), to be registered as secrets.
 */
export function urlCredentials(value: string): string[] {
  try {
    const url = new URL(value);
    const userinfo = [url.password, url.password === '' ? url.username : '']
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
    return [...userinfo, ...url.searchParams.getAll('password').filter((part) => part !== '')];
  } catch {
    return [];
  }
}

/**
 * A value that is one URL (a configured URL shown by the API or in a config problem) with its
 * `user:password@` or `token@` replaced by `[REDACTED]@` and the values of denylisted query
 * parameters (`?private_token=`) masked; nothing else changes. `git@host:org/repo` (scp-like SSH,
 * where `git` is a user name, not a secret) has no `scheme://` and stays whole.
 */
export function redactUrl(url: string): string {
  return redactQueryCredentials(url.replace(URL_USERINFO, `$1${REDACTED}@`));
}

/** Like `redactUrl` for every URL inside free text (git's errors, response bodies, log lines). */
export function redactUrlsInText(text: string): string {
  return redactQueryCredentials(text.replace(TEXT_USERINFO, `$1${REDACTED}@`));
}

function redactQueryCredentials(text: string): string {
  return text.replace(QUERY_PARAMETER, (whole: string, separator: string, name: string) =>
    isDeniedKey(name) ? `${separator}${name}=${REDACTED}` : whole,
  );
}

/**
 * Every registered secret in `text` replaced by `[REDACTED]`, in its encodings too (base64,
 * base64url, Basic-auth base64, percent-encoding) and where line breaks interrupt it. A plain list
 * is registered for this one call.
 */
export function redactSecrets(text: string, secrets: SecretRegistry | Iterable<string>): string {
  const registry = secrets instanceof SecretRegistry ? secrets : new SecretRegistry(secrets);
  return registry.redact(text);
}

/** Registered secrets, then credentials in URLs, removed from free text. */
export function redactCredentials(
  text: string,
  secrets: SecretRegistry | Iterable<string>,
): string {
  return redactUrlsInText(redactSecrets(text, secrets));
}

/** What the logger writes: `redactCredentials`, plus bearer/basic credentials after their scheme. */
export function redactText(text: string, secrets: SecretRegistry): string {
  return redactCredentials(text, secrets).replace(BEARER, `$1 ${REDACTED}`);
}

/**
 * Returns a redacted deep copy of a log field value: denylisted keys masked, strings scrubbed,
 * Errors reduced to name/code/message (never their cause, request or response objects).
 */
export function redactValue(value: unknown, secrets: SecretRegistry, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[Object]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: redactText(value.message, secrets),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isDeniedKey(key) ? REDACTED : redactValue(inner, secrets, depth + 1);
  }
  return out;
}
