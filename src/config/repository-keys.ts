/**
 * The keys of one `repositories:` item. build-repository.ts validates them by hand (convict has
 * no arrays of objects); the README reference is generated from these docs.
 */
export interface RepositoryKeyDoc {
  readonly type: string;
  readonly default: string;
  readonly doc: string;
}

export const REPOSITORY_KEYS = {
  name: {
    type: 'string',
    default: '(required)',
    doc: 'Unique; the key in the database and the API.',
  },
  url: {
    type: 'URL',
    default: '(required)',
    doc: 'Clone URL: http(s) for `github` and `gitlab`; `git` also takes `ssh://`, `file://` and `user@host:path`.',
  },
  provider: {
    type: 'github | gitlab | git',
    default: '(required)',
    doc: 'How refs are listed: the provider API, or `git ls-remote` for `git`.',
  },
  token: {
    type: 'string (secret)',
    default: '(none)',
    doc: 'Access token, usually `${GITHUB_TOKEN}`; never logged.',
  },
  branch_regex: {
    type: 'regex',
    default: '.*',
    doc: 'Branches to watch; a leading `(?i)` makes it case-insensitive.',
  },
  tag_regex: {
    type: 'regex',
    default: '(none)',
    doc: 'Tags to watch; absent = tags are not watched.',
  },
  polling_interval: {
    type: 'duration >= 1s',
    default: 'polling.interval',
    doc: 'Time between two polls of this repository.',
  },
  api_base_url: {
    type: 'http(s) URL',
    default: '(derived from url)',
    doc: 'Provider API root, e.g. for GitHub Enterprise or self-hosted GitLab.',
  },
  enabled: { type: 'boolean', default: 'true', doc: '`false` keeps the entry without polling it.' },
  event_listener_url: {
    type: 'http(s) URL',
    default: 'tekton.event_listener_url',
    doc: 'EventListener for this repository.',
  },
  payload_format: {
    type: 'auto | github | gitlab | cloudevents | reposentry',
    default: 'tekton.payload_format',
    doc: 'Delivery body for this repository.',
  },
  pull_requests: {
    type: 'boolean | mapping',
    default: '(none)',
    doc: "Watch pull (merge) requests: `true` for the defaults, or `target_branch_regex` (default `.*`), `include_drafts` (default true), `include_forks` (default false: a fork's code would run in your cluster).",
  },
} as const satisfies Record<string, RepositoryKeyDoc>;

export type RepositoryKey = keyof typeof REPOSITORY_KEYS;
export const REPOSITORY_KEY_NAMES = Object.keys(REPOSITORY_KEYS) as RepositoryKey[];
