import { urlProblem } from './check-url.js';
import { shortIntervalWarning } from './config-warnings.js';
import { allowListEntryProblem } from './expand-env.js';
import { formatDuration, parseDuration } from './parse-duration.js';
import type { RawConfig } from './schema.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Cross-field checks of the top-level sections, run after the schema: each returns nothing for
 * a key the schema already rejected (its value is then not trusted).
 */
export function checkGlobals(raw: RawConfig): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];

  if (typeof raw.app.data_dir === 'string' && raw.app.data_dir.trim() === '') {
    problems.push('app.data_dir: must not be empty');
  }
  if (Array.isArray(raw.security.allowed_env_vars)) {
    raw.security.allowed_env_vars.forEach((entry, i) => {
      const reason = typeof entry === 'string' ? allowListEntryProblem(entry) : undefined;
      if (reason !== undefined) problems.push(`security.allowed_env_vars[${i}]: ${reason}`);
    });
  }
  if (raw.api.auth_reads === true && raw.api.auth_token === '') {
    problems.push(
      'api.auth_reads: is true but api.auth_token is empty, so every read would be refused; set api.auth_token or set api.auth_reads to false',
    );
  }
  if (raw.intake.enabled === true && raw.intake.secret === '') {
    problems.push(
      'intake.secret: is empty but intake.enabled is true, so no webhook could be verified; set it (usually to ${INTAKE_WEBHOOK_SECRET}) to the secret of the GitHub or GitLab webhook',
    );
  }
  if (raw.storage.type === 'postgres' && raw.storage.postgres.url === '') {
    problems.push(
      'storage.postgres.url: is empty but storage.type is postgres; set it (usually to ${REPOSENTRY_DATABASE_URL})',
    );
  }
  const listener = raw.tekton.event_listener_url;
  if (raw.security.require_https === true && typeof listener === 'string' && listener !== '') {
    const reason = urlProblem(listener, { kind: 'http', requireHttps: true });
    if (reason !== undefined) problems.push(`tekton.event_listener_url: ${reason}`);
  }
  const backoff = durationOrUndefined(raw.tekton.retry_backoff);
  const maxBackoff = durationOrUndefined(raw.tekton.max_retry_backoff);
  if (backoff !== undefined && maxBackoff !== undefined && maxBackoff < backoff) {
    problems.push(
      `tekton.max_retry_backoff: must not be shorter than tekton.retry_backoff (${formatDuration(maxBackoff)} < ${formatDuration(backoff)})`,
    );
  }
  const headers: unknown = raw.tekton.headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name)) {
        problems.push(`tekton.headers.${name}: is not a valid HTTP header name`);
      } else if (/[\r\n\0]/.test(String(value))) {
        problems.push(`tekton.headers.${name}: must not contain line breaks`);
      }
    }
  }
  const interval = durationOrUndefined(raw.polling.interval);
  const warning =
    interval === undefined ? undefined : shortIntervalWarning('polling.interval', interval);
  if (warning !== undefined) warnings.push(warning);
  const maxInterval = durationOrUndefined(raw.polling.adaptive.max_interval);
  if (
    raw.polling.adaptive.enabled === true &&
    interval !== undefined &&
    maxInterval !== undefined &&
    maxInterval < interval
  ) {
    problems.push(
      `polling.adaptive.max_interval: is shorter than polling.interval (${formatDuration(interval)}), so no repository could stretch its polls; set it to at least that`,
    );
  }
  return { problems, warnings };
}

export function durationOrUndefined(value: unknown): number | undefined {
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}
