/** A duration as written in the file: `30s`, `1h30m`, or milliseconds. */
export type RawDuration = string | number;

/** The validated file content, still in the file's snake_case shape, before resolution. */
export interface RawConfig {
  app: {
    name: string;
    log_level: string;
    log_format: string;
    data_dir: string;
    health_check_port: number;
    log_file: string;
    log_file_rotation: {
      max_size: number;
      max_backups: number;
      max_age: number;
      compress: boolean;
    };
  };
  api: { listen_address: string; auth_token: string; auth_reads: boolean };
  polling: {
    interval: RawDuration;
    timeout: RawDuration;
    max_workers: number;
    jitter: number;
    trigger_on_first_seen: boolean;
    batch_size: number;
    enable_api_fallback: boolean;
    retry_attempts: number;
    retry_backoff: RawDuration;
    adaptive: { enabled: boolean; max_interval: RawDuration };
  };
  storage: {
    type: string;
    sqlite: { path: string; max_connections: number; connection_timeout: RawDuration };
    postgres: { url: string; max_connections: number };
    retention: RawDuration;
  };
  ha: { lease_ttl: RawDuration };
  intake: { enabled: boolean; secret: string };
  tekton: {
    event_listener_url: string;
    payload_format: string;
    secret: string;
    timeout: RawDuration;
    retry_attempts: number;
    retry_backoff: RawDuration;
    max_retry_backoff: RawDuration;
    headers: Record<string, string | number | boolean>;
    commit_details: boolean;
    system_namespace: string;
    bootstrap_pipeline: unknown;
  };
  rate_limit: {
    github: { requests_per_hour: number; requests_per_minute: number; burst: number };
    gitlab: { requests_per_second: number; burst: number };
  };
  security: { allowed_env_vars: string[]; require_https: boolean };
  repositories: unknown[];
  repositories_config: string;
  discovery: unknown[];
}
