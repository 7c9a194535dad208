import { z } from 'zod';
import { PAYLOAD_FORMATS, PROVIDERS } from '../../config/config-types.js';
import { INTERVAL_REASONS } from '../../poller/adaptive-interval.js';
import { REPOSITORY_POLL_STATES } from '../../poller/scheduler.js';
import { POLL_VIAS } from '../../storage/storage-types.js';
import { pathText } from './param-schemas.js';
import { RATE_LIMIT_SHAPE } from './status-schemas.js';
import { displayUrl, timestamp } from './field-schemas.js';

export const RepositoryParamsSchema = z.object({
  name: pathText(200).meta({ description: 'Repository name as configured.' }),
});

const summary = {
  name: z.string(),
  provider: z.enum(PROVIDERS),
  enabled: z.boolean().meta({ description: 'false: configured but not polled.' }),
  source: z.string().meta({
    description:
      '`config` for a repository listed by hand, `discovery/<entry>` for one a discovery entry found.',
  }),
  url: displayUrl(),
  branchRegex: z.string(),
  tagRegex: z.string().nullable().meta({ description: 'null: tags are not watched.' }),
  pollingIntervalSeconds: z.number().meta({ description: 'The configured interval.' }),
  currentIntervalSeconds: z.number().meta({
    description:
      'The interval the last poll chose: the configured one, or longer while adaptive polling stretches an idle repository.',
  }),
  intervalReason: z.enum([...INTERVAL_REASONS, 'quota']).meta({
    description:
      '`configured`: the configured interval; `idle`: stretched because nothing changed since `activeAt`; `quota`: stretched by the quota governor to stay within the API limits (shown by the replica that polls it).',
  }),
  activeAt: timestamp(
    'The last change recorded or poll asked for (poll-now, a webhook); adaptive polling counts from it.',
  ).nullable(),
  eventListenerUrl: displayUrl(),
  payloadFormat: z.enum(PAYLOAD_FORMATS).exclude(['auto']),
  state: z
    .enum(REPOSITORY_POLL_STATES)
    .nullable()
    .meta({ description: 'Scheduler state, or null when not scheduled.' }),
  lastPollAt: timestamp('Last poll, successful or not.').nullable(),
  lastSuccessAt: timestamp('Last successful poll.').nullable(),
  nextPollAt: timestamp('Next scheduled poll.').nullable(),
  lastError: z
    .strictObject({ code: z.string(), message: z.string() })
    .nullable()
    .meta({ description: 'Why the last poll failed; null after a success.' }),
  consecutiveFailures: z.number().int(),
  via: z
    .enum(POLL_VIAS)
    .nullable()
    .meta({ description: 'How the last successful poll listed refs; null before one.' }),
  fallbackInUse: z.boolean().meta({
    description: 'A GitHub/GitLab repository whose last successful poll used git ls-remote.',
  }),
  // Inline, not a nullable reference: OpenAPI 3.0 cannot make a $ref nullable.
  rateLimit: z.strictObject(RATE_LIMIT_SHAPE).nullable().meta({
    description: 'The RateLimit of its API token; null for git or before the first API call.',
  }),
  refCount: z.number().int().meta({ description: 'Refs recorded for this repository.' }),
};

export const RepositorySummarySchema = z.strictObject(summary).meta({ id: 'RepositorySummary' });
export type RepositorySummary = z.infer<typeof RepositorySummarySchema>;

export const RefSchema = z
  .strictObject({
    ref: z.string().meta({ description: 'Full ref name.' }),
    sha: z.string(),
    seenAt: timestamp('First recorded.'),
    updatedAt: timestamp('Sha last changed.'),
  })
  .meta({ id: 'Ref' });
export type Ref = z.infer<typeof RefSchema>;

export const RepositoryDetailSchema = z
  .strictObject({ ...summary, refs: z.array(RefSchema) })
  .meta({ id: 'RepositoryDetail' });
export type RepositoryDetail = z.infer<typeof RepositoryDetailSchema>;

export const RepositoryListSchema = z.strictObject({
  repositories: z.array(RepositorySummarySchema),
});
export type RepositoryList = z.infer<typeof RepositoryListSchema>;

export const PollAcceptedSchema = z
  .strictObject({ repository: z.string(), message: z.string() })
  .meta({ id: 'PollAccepted' });
export type PollAccepted = z.infer<typeof PollAcceptedSchema>;
