import type { RepositoryKeyDoc } from './repository-keys.js';

/**
 * The keys of one `discovery:` item. build-discovery.ts validates them by hand (convict has no
 * arrays of objects); the README reference is generated from these docs.
 */
export const DISCOVERY_KEYS = {
  name: {
    type: 'string',
    default: '(required)',
    doc: 'Unique; found repositories show `source: discovery/<name>`.',
  },
  provider: {
    type: 'github | gitlab',
    default: '(required)',
    doc: 'The Git host whose repositories are listed.',
  },
  owner: {
    type: 'string',
    default: '(required)',
    doc: 'GitHub organization or user; GitLab group path (its subgroups included).',
  },
  url: {
    type: 'http(s) URL',
    default: '(required)',
    doc: 'The host: `https://github.com`, a GitHub Enterprise Server, `https://gitlab.com` or a self-managed GitLab.',
  },
  token: {
    type: 'string (secret)',
    default: '(none)',
    doc: 'Token that reads the list and polls what it finds (unless `template.token` is set); never logged.',
  },
  api_base_url: {
    type: 'http(s) URL',
    default: '(derived from url)',
    doc: 'API root, when it is not the one derived from `url`.',
  },
  include: {
    type: 'regex',
    default: '(none)',
    doc: 'Only repositories whose path (`owner/repo`, GitLab: the full path) matches.',
  },
  exclude: { type: 'regex', default: '(none)', doc: 'Leaves out repositories whose path matches.' },
  topics: {
    type: 'list of strings',
    default: '[]',
    doc: 'Only repositories with every one of these topics.',
  },
  include_archived: {
    type: 'boolean',
    default: 'false',
    doc: 'Also archived repositories.',
  },
  include_forks: { type: 'boolean', default: 'false', doc: 'Also forks.' },
  interval: {
    type: 'duration >= 1s',
    default: '10m',
    doc: 'How often the list is read again (an unchanged GitHub list costs no quota).',
  },
  template: {
    type: 'mapping',
    default: '{}',
    doc: 'Settings of every repository found: any `repositories[]` key but `name`, `url` and `provider`.',
  },
} as const satisfies Record<string, RepositoryKeyDoc>;

export type DiscoveryKey = keyof typeof DISCOVERY_KEYS;
export const DISCOVERY_KEY_NAMES = Object.keys(DISCOVERY_KEYS) as DiscoveryKey[];
