/**
 * The typed, frozen configuration snapshot every component receives. Built by `loadConfig` from
 * the YAML file(s) after validation; durations are milliseconds (`...Ms`), per-repository
 * overrides are already resolved, `${VAR}` references already expanded.
 */
import type { LogFileRotationConfig, LogFormat, LogLevel } from '../logging/log-settings.js';

export const PROVIDERS = ['github', 'gitlab', 'git'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PAYLOAD_FORMATS = ['auto', 'github', 'gitlab', 'cloudevents', 'reposentry'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
/** A payload format after `auto` has been resolved by provider. */
export type ResolvedPayloadFormat = Exclude<PayloadFormat, 'auto'>;

export { LOG_FORMATS, LOG_LEVELS } from '../logging/log-settings.js';
export type { LogFileRotationConfig, LogFormat, LogLevel } from '../logging/log-settings.js';

export interface AppConfig {
  readonly name: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly dataDir: string;
  readonly healthCheckPort: number;
  /** Also log to this file (rotated), besides stdout. */
  readonly logFile?: string;
  readonly logFileRotation: LogFileRotationConfig;
}

export interface ApiConfig {
  readonly listenAddress: string;
  /** Bearer token for mutating endpoints; absent = mutations refused. */
  readonly authToken?: string;
  /** true: reads (GETs under /api/v1, the event stream, /metrics) need the token as well. */
  readonly authReads: boolean;
}

export interface PollingConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxWorkers: number;
  /** Fraction (0..1) of random spread applied to each next poll. */
  readonly jitter: number;
  readonly triggerOnFirstSeen: boolean;
  /** false: a failing provider API is reported, never replaced by `git ls-remote`. */
  readonly enableApiFallback: boolean;
  /** Retries of one failed provider request within a poll. */
  readonly retryAttempts: number;
  /** First delay between those retries. */
  readonly retryBackoffMs: number;
  /** `polling.adaptive`: idle repositories polled less often. */
  readonly adaptive: AdaptivePollingConfig;
}

export interface AdaptivePollingConfig {
  readonly enabled: boolean;
  /** The longest interval an idle repository stretches to (never below its own interval). */
  readonly maxIntervalMs: number;
}

export const STORAGE_TYPES = ['sqlite', 'postgres'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export interface PostgresConfig {
  /** storage.postgres.url (carries the password: never shown; see redactUrl). */
  readonly url: string;
  readonly maxConnections: number;
}

export interface StorageConfig {
  readonly type: StorageType;
  /** The SQLite file (storage.type sqlite; also what `storage migrate` reads). */
  readonly sqlitePath: string;
  /** Set when storage.type is postgres. */
  readonly postgres?: PostgresConfig;
  /** SQLite busy timeout (storage.sqlite.connection_timeout). */
  readonly busyTimeoutMs: number;
  /** Events and delivery logs older than this are pruned. */
  readonly retentionMs: number;
}

export interface HaConfig {
  /** ha.lease_ttl (used with storage.type postgres). */
  readonly leaseTtlMs: number;
}

/** `intake`: real webhooks that make the daemon poll a repository at once. */
export interface IntakeConfig {
  readonly enabled: boolean;
  /** GitHub's webhook secret / GitLab's secret token; set whenever `enabled`. */
  readonly secret?: string;
}

export interface TektonConfig {
  readonly eventListenerUrl?: string;
  readonly payloadFormat: PayloadFormat;
  readonly secret?: string;
  readonly timeoutMs: number;
  readonly retryAttempts: number;
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether push payloads carry what the Git host's API tells (see PushDetails). */
  readonly commitDetails: boolean;
}

export interface RateLimitConfig {
  readonly github: {
    readonly requestsPerHour: number;
    /** 0 = no per-minute guard. */
    readonly requestsPerMinute: number;
    /** Token-bucket size: requests that may go out back to back. */
    readonly burst: number;
  };
  readonly gitlab: {
    readonly requestsPerSecond: number;
    readonly burst: number;
  };
}

export interface SecurityConfig {
  readonly allowedEnvVars: readonly string[];
  readonly requireHttps: boolean;
}

/** `repositories[i].pull_requests`: which pull (merge) requests are reported. */
export interface PullRequestsConfig {
  /** Source text of target_branch_regex, for display. */
  readonly targetBranchPattern: string;
  readonly targetBranchRegex: RegExp;
  readonly includeDrafts: boolean;
  readonly includeForks: boolean;
}

export interface RepositoryConfig {
  /** Unique; the key in the database and the API. */
  readonly name: string;
  readonly url: string;
  readonly provider: Provider;
  readonly token?: string;
  /** Source text of branch_regex, for display. */
  readonly branchPattern: string;
  readonly branchRegex: RegExp;
  readonly tagPattern?: string;
  /** Absent = tags are not watched. */
  readonly tagRegex?: RegExp;
  /** Resolved: the repository's polling_interval, else polling.interval. */
  readonly pollingIntervalMs: number;
  /** As configured; the git client derives it from `url` when absent. */
  readonly apiBaseUrl?: string;
  readonly enabled: boolean;
  /** Resolved: the repository's override, else tekton.event_listener_url. */
  readonly eventListenerUrl: string;
  /** Resolved: override, else tekton.payload_format, with `auto` decided by provider. */
  readonly payloadFormat: ResolvedPayloadFormat;
  /** Absent = pull (merge) requests are not watched. */
  readonly pullRequests?: PullRequestsConfig;
  /** `discovery/<entry>` for a repository a `discovery` entry found; absent when listed. */
  readonly source?: string;
}

/** Global values a repository inherits when it does not override them. */
export interface RepositoryDefaults {
  readonly pollingIntervalMs: number;
  readonly eventListenerUrl: string | undefined;
  readonly payloadFormat: PayloadFormat;
  readonly requireHttps: boolean;
}

export const DISCOVERY_PROVIDERS = ['github', 'gitlab'] as const;
export type DiscoveryProvider = (typeof DISCOVERY_PROVIDERS)[number];

/** One `discovery` entry: the repositories of an owner on a Git host, watched as they come. */
export interface DiscoveryConfig {
  readonly name: string;
  readonly provider: DiscoveryProvider;
  /** GitHub organization or user; GitLab group full path. */
  readonly owner: string;
  /** The host root (https://github.com, a GitHub Enterprise or GitLab host). */
  readonly url: string;
  readonly token?: string;
  readonly apiBaseUrl?: string;
  /** Source text of include / exclude, for display. */
  readonly includePattern?: string;
  readonly include?: RegExp;
  readonly excludePattern?: string;
  readonly exclude?: RegExp;
  readonly topics: readonly string[];
  readonly includeArchived: boolean;
  readonly includeForks: boolean;
  readonly intervalMs: number;
  /** The validated `template` mapping (env-expanded), applied to every repository found. */
  readonly template: Readonly<Record<string, unknown>>;
  /** What a repository found inherits when the template does not set it. */
  readonly repositoryDefaults: RepositoryDefaults;
}

export interface ConfigSource {
  /** Absolute path of the main config file, or undefined for embedded configs. */
  readonly file?: string;
  readonly repositoriesFile?: string;
}

export interface Config {
  readonly app: AppConfig;
  readonly api: ApiConfig;
  readonly polling: PollingConfig;
  readonly storage: StorageConfig;
  readonly ha: HaConfig;
  readonly intake: IntakeConfig;
  readonly tekton: TektonConfig;
  readonly rateLimit: RateLimitConfig;
  readonly security: SecurityConfig;
  readonly repositories: readonly RepositoryConfig[];
  /** Where more repositories are found (the daemon adds them to `repositories` as it reads). */
  readonly discovery: readonly DiscoveryConfig[];
  readonly source: ConfigSource;
  /** Every secret value in this config (tokens, tekton secret, API token), for log redaction. */
  readonly secrets: readonly string[];
  /** Start-up warnings: keys accepted without effect, risky values. Logged once at load. */
  readonly warnings: readonly string[];
}
