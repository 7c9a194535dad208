import { credentialHeaderValues, urlCredentials } from '../logging/redact.js';
import type { EnvSubstitution } from './expand-env.js';
import type { RawConfig } from './schema.js';

const SECRET_VARIABLE = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY/i;

/**
 * The password of a database URL (in its userinfo or as `?password=`). Unlike an HTTP URL's
 * `token@`, a user name alone is no secret there (`postgres://reposentry@db/reposentry`).
 */
function databasePasswords(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  try {
    const url = new URL(value);
    const password = url.password === '' ? [] : [decodeURIComponent(url.password)];
    return [...password, ...url.searchParams.getAll('password')];
  } catch {
    return [];
  }
}

/**
 * Every secret value in a (possibly invalid) config: the secret keys (api.auth_token,
 * tekton.secret, repository tokens), credential-bearing headers, credentials inside URLs, and
 * every value substituted from a variable whose name says it is secret.
 */
export function collectSecrets(
  raw: RawConfig,
  substitutions: readonly EnvSubstitution[],
): string[] {
  const found: unknown[] = [raw.api.auth_token, raw.tekton.secret, raw.intake.secret];
  const headers: unknown = raw.tekton.headers;
  if (typeof headers === 'object' && headers !== null) {
    found.push(...credentialHeaderValues(headers as Record<string, unknown>));
  }
  found.push(...urlCredentials(raw.tekton.event_listener_url));
  found.push(...databasePasswords(raw.storage.postgres.url));
  for (const item of Array.isArray(raw.repositories) ? raw.repositories : []) {
    if (item === null || typeof item !== 'object') continue;
    const repo = item as Record<string, unknown>;
    found.push(repo.token);
    for (const key of ['url', 'api_base_url', 'event_listener_url']) {
      const value = repo[key];
      if (typeof value === 'string') found.push(...urlCredentials(value));
    }
  }
  for (const item of Array.isArray(raw.discovery) ? raw.discovery : []) {
    if (item === null || typeof item !== 'object') continue;
    const entry = item as Record<string, unknown>;
    found.push(entry.token);
    for (const key of ['url', 'api_base_url']) {
      const value = entry[key];
      if (typeof value === 'string') found.push(...urlCredentials(value));
    }
    const template = entry.template;
    if (template !== null && typeof template === 'object') {
      const settings = template as Record<string, unknown>;
      found.push(settings.token);
      for (const key of ['api_base_url', 'event_listener_url']) {
        const value = settings[key];
        if (typeof value === 'string') found.push(...urlCredentials(value));
      }
    }
  }
  for (const substitution of substitutions) {
    if (SECRET_VARIABLE.test(substitution.variable)) found.push(substitution.value);
  }
  return [
    ...new Set(found.filter((value): value is string => typeof value === 'string' && value !== '')),
  ];
}
