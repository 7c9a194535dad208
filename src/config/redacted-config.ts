import { isDeniedKey, REDACTED, redactSecrets, redactUrl } from '../logging/redact.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import type { Config } from './config-types.js';

/**
 * A JSON-able view of a config for the start-up log line and the API: secret keys (tokens,
 * tekton.secret, api.auth_token, credential headers) read `[REDACTED]` when set and are omitted
 * when not, URL credentials are masked, compiled regexes are left out (their patterns stay) and
 * `secrets` itself is dropped.
 */
export function redactedConfig(config: Config): Record<string, unknown> {
  const { secrets, ...rest } = config;
  return walk(rest, new SecretRegistry(secrets)) as Record<string, unknown>;
}

function walk(value: unknown, secrets: SecretRegistry): unknown {
  if (typeof value === 'string') return redactUrl(redactSecrets(value, secrets));
  if (Array.isArray(value)) return value.map((item) => walk(item, secrets));
  if (value === null || typeof value !== 'object' || value instanceof RegExp) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined || inner instanceof RegExp) continue;
    out[key] = isDeniedKey(key) ? REDACTED : walk(inner, secrets);
  }
  return out;
}
