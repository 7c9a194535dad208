import type convict from 'convict';
import type { RawConfig } from './raw-config.js';
import { LOG_FORMATS, LOG_LEVELS, PAYLOAD_FORMATS, STORAGE_TYPES } from './config-types.js';
import {
  anyFormat,
  booleanFormat,
  durationFormat,
  enumFormat,
  headersFormat,
  integerFormat,
  listFormat,
  numberFormat,
  optionalHttpUrlFormat,
  postgresUrlFormat,
  secretFormat,
  stringFormat,
  stringListFormat,
} from './schema-formats.js';

export type { RawConfig, RawDuration } from './raw-config.js';

const NO_EFFECT = 'Go RepoSentry compatibility: accepted with a start-up warning, no effect;';

/**
 * The convict schema of the whole file (SPEC section 2). Per-repository keys are validated by
 * build-repository.ts against REPOSITORY_KEYS. Empty strings mean "not set".
 */
export const configSchema = {
  app: {
    name: {
      doc: 'Instance name, shown in logs and the API.',
      format: stringFormat(),
      default: 'reposentry',
    },
    log_level: { doc: 'Lowest level logged.', format: enumFormat(LOG_LEVELS), default: 'info' },
    log_format: {
      doc: 'Log line format on stdout and in `log_file`.',
      format: enumFormat(LOG_FORMATS),
      default: 'json',
    },
    data_dir: {
      doc: 'Directory for the database and other state; relative paths resolve against the working directory.',
      format: stringFormat(),
      default: './data',
    },
    health_check_port: {
      doc: 'HTTP port of the API, health, metrics and Swagger UI (0 = any free port).',
      format: integerFormat(0, 65535),
      default: 8080,
    },
    log_file: {
      doc: 'Also log to this file, rotated per `log_file_rotation`; empty = stdout only.',
      format: stringFormat(),
      default: '',
    },
    log_file_rotation: {
      max_size: {
        doc: 'Rotate `log_file` when it reaches this many megabytes.',
        format: integerFormat(1),
        default: 100,
      },
      max_backups: { doc: 'Rotated log files kept.', format: integerFormat(0), default: 5 },
      max_age: {
        doc: 'Delete rotated log files older than this many days (0 = keep by count only).',
        format: integerFormat(0),
        default: 30,
      },
      compress: { doc: 'Gzip rotated log files.', format: booleanFormat(), default: true },
    },
  },
  api: {
    listen_address: {
      doc: 'Address the HTTP server binds to.',
      format: stringFormat(),
      default: '0.0.0.0',
    },
    auth_token: {
      doc: 'Bearer token required by every mutating endpoint; empty = mutations refused.',
      format: secretFormat(),
      default: '',
      sensitive: true,
    },
    auth_reads: {
      doc: 'true: reads need the bearer token too (every GET under /api/v1, the event stream, /metrics); probes and API docs stay open.',
      format: booleanFormat(),
      default: false,
    },
  },
  polling: {
    interval: {
      doc: 'Default time between two polls of a repository (below 30s logs a warning).',
      format: durationFormat(1000),
      default: '5m',
    },
    timeout: {
      doc: 'Time limit of one poll of one repository.',
      format: durationFormat(1),
      default: '30s',
    },
    max_workers: { doc: 'Polls in flight at once.', format: integerFormat(1), default: 5 },
    jitter: {
      doc: 'Random spread of each next poll, as a fraction of the interval.',
      format: numberFormat({ min: 0, max: 1 }),
      default: 0.1,
    },
    trigger_on_first_seen: {
      doc: 'Fire events for the refs found by the first poll of a repository.',
      format: booleanFormat(),
      default: false,
    },
    batch_size: {
      doc: `${NO_EFFECT} \`max_workers\` bounds concurrency.`,
      format: integerFormat(1),
      default: 10,
    },
    enable_api_fallback: {
      doc: 'Fall back to `git ls-remote` when the provider API fails.',
      format: booleanFormat(),
      default: true,
    },
    retry_attempts: {
      doc: 'Retries of a failed request within one poll: git ls-remote always, the GitHub/GitLab API only when enable_api_fallback is false (with the fallback on, ls-remote is the retry).',
      format: integerFormat(0),
      default: 3,
    },
    retry_backoff: {
      doc: 'First delay between those retries (exponential).',
      format: durationFormat(0),
      default: '1s',
    },
    adaptive: {
      enabled: {
        doc: "Stretch an idle repository's polls: its interval doubles in steps, to a quarter of the time since its last change, up to max_interval; a change, a poll-now or a webhook snaps it back.",
        format: booleanFormat(),
        default: false,
      },
      max_interval: {
        doc: 'The longest an idle repository waits between polls when adaptive polling is on (at least polling.interval).',
        format: durationFormat(1000),
        default: '30m',
      },
    },
  },
  storage: {
    type: {
      doc: 'Storage engine: `sqlite` (embedded, one daemon per file) or `postgres`.',
      format: enumFormat(STORAGE_TYPES),
      default: 'sqlite',
    },
    sqlite: {
      path: {
        doc: 'Database file; empty = `<data_dir>/reposentry.db`.',
        format: stringFormat(),
        default: '',
      },
      max_connections: {
        doc: `${NO_EFFECT} RepoSentry uses one SQLite connection.`,
        format: integerFormat(1),
        default: 1,
      },
      connection_timeout: {
        doc: 'SQLite busy timeout: how long a write waits for a lock.',
        format: durationFormat(0),
        default: '30s',
      },
    },
    postgres: {
      url: {
        doc: 'PostgreSQL connection URL (`postgres://user:password@host:5432/db`); TLS as its `sslmode` says. Required with `storage.type: postgres`; usually `${REPOSENTRY_DATABASE_URL}`.',
        format: postgresUrlFormat(),
        default: '',
        sensitive: true,
      },
      max_connections: {
        doc: 'Connections in the pool of each daemon.',
        format: integerFormat(2, 1000),
        default: 10,
      },
    },
    retention: {
      doc: 'Events and delivery logs older than this are pruned.',
      format: durationFormat(60_000),
      default: '30d',
    },
  },
  ha: {
    lease_ttl: {
      doc: 'PostgreSQL only: a replica silent this long is dead; its repositories and in-flight deliveries pass to the others (heartbeats every third of it).',
      format: durationFormat(3000),
      default: '15s',
    },
  },
  intake: {
    enabled: {
      doc: 'Serve POST /hooks/github and /hooks/gitlab: a real webhook, verified with intake.secret, makes the daemon poll the repository it names at once (polling stays the guarantee).',
      format: booleanFormat(),
      default: false,
    },
    secret: {
      doc: "The webhooks' secret: GitHub's webhook secret (X-Hub-Signature-256), GitLab's secret token (X-Gitlab-Token). Required when intake.enabled.",
      format: secretFormat(),
      default: '',
      sensitive: true,
    },
  },
  tekton: {
    event_listener_url: {
      doc: 'EventListener every delivery goes to, unless a repository sets its own; no default.',
      format: optionalHttpUrlFormat(),
      default: '',
    },
    payload_format: {
      doc: 'Delivery body; `auto` = `gitlab` for GitLab repositories, `github` otherwise.',
      format: enumFormat(PAYLOAD_FORMATS),
      default: 'auto',
    },
    secret: {
      doc: 'Shared secret: HMAC key of `X-Hub-Signature-256`, value of `X-Gitlab-Token`.',
      format: secretFormat(),
      default: '',
      sensitive: true,
    },
    timeout: {
      doc: 'Time limit of one delivery request.',
      format: durationFormat(1),
      default: '10s',
    },
    retry_attempts: {
      doc: 'Retries of a delivery after its first attempt before it is marked failed (redeliverable).',
      format: integerFormat(1),
      default: 8,
    },
    retry_backoff: {
      doc: 'First delay between delivery attempts; exponential with jitter.',
      format: durationFormat(0),
      default: '1s',
    },
    max_retry_backoff: {
      doc: 'Cap of the delay between delivery attempts.',
      format: durationFormat(0),
      default: '5m',
    },
    headers: {
      doc: 'Extra headers sent with every delivery.',
      format: headersFormat(),
      default: {},
    },
    commit_details: {
      doc: "Ask GitHub or GitLab, when a push delivery is first built, for what the host's own hook carries (the head commit's message and people, the pushed commits, forced, compare, the repository's id, visibility and default branch): one to three API requests per change, on the repository's quota, within tekton.timeout. false sends what the ref listing tells.",
      format: booleanFormat(),
      default: true,
    },
    system_namespace: {
      doc: `${NO_EFFECT} RepoSentry does not install Tekton resources.`,
      format: stringFormat(),
      default: '',
    },
    bootstrap_pipeline: {
      doc: `${NO_EFFECT} RepoSentry does not install Tekton resources.`,
      format: anyFormat(),
      default: null,
    },
  },
  rate_limit: {
    github: {
      requests_per_hour: {
        doc: 'Primary-quota budget per API host and token (304 responses cost nothing).',
        format: integerFormat(1),
        default: 4000,
      },
      requests_per_minute: {
        doc: 'Guard for the secondary limit, all requests included; 0 = off.',
        format: integerFormat(0),
        default: 900,
      },
      burst: {
        doc: 'GitHub requests that may go out back to back before requests_per_minute paces them (token-bucket size).',
        format: integerFormat(1),
        default: 10,
      },
    },
    gitlab: {
      requests_per_second: {
        doc: 'Request rate per GitLab host and token.',
        format: numberFormat({ min: 0, minExclusive: true }),
        default: 8,
      },
      burst: {
        doc: 'GitLab requests that may go out back to back (token-bucket size).',
        format: integerFormat(1),
        default: 10,
      },
    },
  },
  security: {
    allowed_env_vars: {
      doc: 'Variables that `${NAME}` may expand: exact names, `PREFIX*` or `*SUFFIX`.',
      format: stringListFormat(),
      default: ['GITHUB_TOKEN', 'GITLAB_TOKEN', '*_TOKEN', '*_SECRET', 'REPOSENTRY_DATABASE_URL'],
    },
    require_https: {
      doc: 'Reject repository, API and EventListener URLs that are not https (loopback hosts excepted).',
      format: booleanFormat(),
      default: false,
    },
  },
  repositories: {
    doc: 'Repositories to watch (keys below); `repositories_config` appends more.',
    format: listFormat('list'),
    default: [],
  },
  repositories_config: {
    doc: 'Optional second YAML file whose `repositories:` are appended to this list.',
    format: stringFormat(),
    default: '',
  },
  discovery: {
    doc: 'Repositories found on a Git host (a GitHub organization or user, a GitLab group) and watched as they come and go (keys below).',
    format: listFormat('list'),
    default: [],
  },
} satisfies convict.Schema<RawConfig>;

/** Keys whose presence in the file, not their value, produces a start-up warning. */
export const NO_EFFECT_KEYS: Readonly<Record<string, string>> = {
  'polling.batch_size':
    'RepoSentry has no batches; polling.max_workers bounds how many polls run at once',
  'storage.sqlite.max_connections': 'RepoSentry uses a single SQLite connection',
  'tekton.system_namespace': 'RepoSentry does not install Tekton resources',
  'tekton.bootstrap_pipeline': 'RepoSentry does not install Tekton resources',
};
