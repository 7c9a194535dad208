import path from 'node:path';
import type {
  StorageType,
  Config,
  ConfigSource,
  DiscoveryConfig,
  LogFormat,
  LogLevel,
  PayloadFormat,
  RepositoryConfig,
} from './config-types.js';
import { parseDuration } from './parse-duration.js';
import type { RawConfig } from './schema.js';

export interface ToConfigContext {
  readonly cwd: string;
  readonly source: ConfigSource;
  readonly repositories: readonly RepositoryConfig[];
  readonly discovery: readonly DiscoveryConfig[];
  readonly secrets: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Maps validated snake_case properties to the camelCase snapshot: durations to milliseconds,
 * relative paths against `cwd` (as the Go project does), empty strings to absent values.
 */
export function toConfig(raw: RawConfig, context: ToConfigContext): Config {
  const dataDir = path.resolve(context.cwd, raw.app.data_dir);
  const { app, api, polling, storage, tekton, rate_limit: rateLimit, security } = raw;
  return {
    app: {
      name: app.name,
      logLevel: app.log_level as LogLevel,
      logFormat: app.log_format as LogFormat,
      dataDir,
      healthCheckPort: app.health_check_port,
      ...(app.log_file === '' ? {} : { logFile: path.resolve(context.cwd, app.log_file) }),
      logFileRotation: {
        maxSizeMb: app.log_file_rotation.max_size,
        maxBackups: app.log_file_rotation.max_backups,
        maxAgeDays: app.log_file_rotation.max_age,
        compress: app.log_file_rotation.compress,
      },
    },
    api: {
      listenAddress: api.listen_address,
      ...(api.auth_token === '' ? {} : { authToken: api.auth_token }),
      authReads: api.auth_reads,
    },
    polling: {
      intervalMs: parseDuration(polling.interval),
      timeoutMs: parseDuration(polling.timeout),
      maxWorkers: polling.max_workers,
      jitter: polling.jitter,
      triggerOnFirstSeen: polling.trigger_on_first_seen,
      enableApiFallback: polling.enable_api_fallback,
      retryAttempts: polling.retry_attempts,
      retryBackoffMs: parseDuration(polling.retry_backoff),
      adaptive: {
        enabled: polling.adaptive.enabled,
        maxIntervalMs: parseDuration(polling.adaptive.max_interval),
      },
    },
    storage: {
      type: storage.type as StorageType,
      ...(storage.type === 'postgres'
        ? {
            postgres: {
              url: storage.postgres.url,
              maxConnections: storage.postgres.max_connections,
            },
          }
        : {}),
      sqlitePath:
        storage.sqlite.path === ''
          ? path.join(dataDir, 'reposentry.db')
          : path.resolve(context.cwd, storage.sqlite.path),
      busyTimeoutMs: parseDuration(storage.sqlite.connection_timeout),
      retentionMs: parseDuration(storage.retention),
    },
    ha: { leaseTtlMs: parseDuration(raw.ha.lease_ttl) },
    intake: {
      enabled: raw.intake.enabled,
      ...(raw.intake.secret === '' ? {} : { secret: raw.intake.secret }),
    },
    tekton: {
      ...(tekton.event_listener_url === '' ? {} : { eventListenerUrl: tekton.event_listener_url }),
      payloadFormat: tekton.payload_format as PayloadFormat,
      ...(tekton.secret === '' ? {} : { secret: tekton.secret }),
      timeoutMs: parseDuration(tekton.timeout),
      retryAttempts: tekton.retry_attempts,
      retryBackoffMs: parseDuration(tekton.retry_backoff),
      commitDetails: tekton.commit_details,
      maxRetryBackoffMs: parseDuration(tekton.max_retry_backoff),
      headers: Object.fromEntries(
        Object.entries(tekton.headers).map(([name, value]) => [name, String(value)]),
      ),
    },
    rateLimit: {
      github: {
        requestsPerHour: rateLimit.github.requests_per_hour,
        requestsPerMinute: rateLimit.github.requests_per_minute,
        burst: rateLimit.github.burst,
      },
      gitlab: {
        requestsPerSecond: rateLimit.gitlab.requests_per_second,
        burst: rateLimit.gitlab.burst,
      },
    },
    security: { allowedEnvVars: security.allowed_env_vars, requireHttps: security.require_https },
    repositories: context.repositories,
    discovery: context.discovery,
    source: context.source,
    secrets: context.secrets,
    warnings: context.warnings,
  };
}
