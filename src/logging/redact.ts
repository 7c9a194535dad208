import type { SecretRegistry } from './secret-registry.js';

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

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi;
const BEARER = /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

export function isDeniedKey(key: string): boolean {
  const lower = key.toLowerCase();
  return DENY.has(lower) || lower.endsWith('token') || lower.endsWith('secret');
}

/** Strips `user:pass@` from URLs, bearer/basic credentials and every registered secret. */
export function redactText(text: string, secrets: SecretRegistry): string {
  return secrets
    .redact(text)
    .replace(URL_CREDENTIALS, '$1[REDACTED]@')
    .replace(BEARER, '$1 [REDACTED]');
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
    out[key] = isDeniedKey(key) ? '[REDACTED]' : redactValue(inner, secrets, depth + 1);
  }
  return out;
}
