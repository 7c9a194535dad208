import { z } from 'zod';
import { PROVIDERS } from '../../config/config-types.js';
import { EVENT_TYPES } from '../../events/change-event.js';
import { MAX_EVENT_PAGE_SIZE } from '../../storage/event-store.js';
import { DELIVERY_STATUSES } from '../../storage/storage-types.js';
import { DeliveryCountsSchema, DeliverySchema } from './delivery-schemas.js';
import {
  pathText,
  queryDateTime,
  queryEnum,
  queryInteger,
  queryText,
  quoted,
} from './param-schemas.js';
import { displayUrl, timestamp } from './field-schemas.js';

const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_EVENT_PAGE_SIZE = 50;
/** The largest SSE id a client may resume from (15 digits). */
const MAX_SEQ = 999_999_999_999_999;

export const EventListQuerySchema = z.strictObject({
  repository: queryText(200).optional().meta({ description: 'Only this repository.' }),
  ref: queryText(1024)
    .regex(/^refs\//, { error: 'give the full ref name, e.g. refs/heads/main or refs/tags/v1.0' })
    .optional()
    .meta({ description: 'Only this full ref name, e.g. refs/heads/main.' }),
  type: queryEnum(EVENT_TYPES).optional().meta({ description: 'Only this event type.' }),
  status: queryEnum(DELIVERY_STATUSES)
    .optional()
    .meta({ description: 'Only events with a delivery in this status.' }),
  since: queryDateTime()
    .optional()
    .meta({ description: 'Only events detected at or after this time (RFC 3339).' }),
  limit: queryInteger(1, MAX_EVENT_PAGE_SIZE)
    .default(DEFAULT_EVENT_PAGE_SIZE)
    .meta({ description: 'Page size.' }),
  cursor: queryText(100).optional().meta({ description: '`nextCursor` of the previous page.' }),
});

export const EventParamsSchema = z.object({
  id: pathText(36)
    .regex(EVENT_ID_PATTERN, { error: (issue) => `${quoted(issue.input)} is not a valid id` })
    .meta({
      description:
        'Event id (UUID-shaped, derived from repository, ref, before, after and transition number).',
    }),
});

export const EventStreamHeadersSchema = z.object({
  'Last-Event-ID': z
    .preprocess(
      (raw) =>
        raw === ''
          ? undefined
          : typeof raw === 'string' && /^\d{1,15}$/.test(raw)
            ? Number(raw)
            : raw,
      z.number({ error: 'must be an event seq (an integer)' }).int().min(0).max(MAX_SEQ).optional(),
    )
    .meta({ description: 'Resume after this event seq.' }),
});

const PullRequestSchema = z
  .strictObject({
    number: z.number().int().meta({ description: "GitHub's pull number, GitLab's iid." }),
    state: z.enum(['open', 'closed', 'merged']),
    known: z.enum(['api', 'ref']).meta({
      description: '`api`: as the host described it; `ref`: only its head was seen (plain git).',
    }),
    title: z.string().optional(),
    draft: z.boolean().optional(),
    url: z.string().optional(),
    author: z.string().optional(),
    head: z.strictObject({
      sha: z.string(),
      ref: z.string().optional(),
      repository: z.string().optional(),
      cloneUrl: z.string().optional(),
    }),
    base: z.strictObject({ ref: z.string(), sha: z.string().optional() }).optional(),
    fork: z.boolean().optional(),
  })
  .meta({ id: 'PullRequest', description: 'A pull (merge) request as seen at detection.' });

const event = {
  id: z.string(),
  seq: z.number().int().meta({ description: 'Insertion order; the SSE message id.' }),
  repository: z.string(),
  repositoryUrl: displayUrl(),
  provider: z.enum(PROVIDERS),
  ref: z.string().meta({ description: 'Full ref name.' }),
  refName: z
    .string()
    .meta({ description: 'Branch or tag name; for a pull request its ref (refs/pull/<n>/head).' }),
  type: z.enum(EVENT_TYPES),
  before: z.string().nullable().meta({ description: 'Sha before; null for *.created.' }),
  after: z.string().nullable().meta({ description: 'Sha after; null for *.deleted.' }),
  transition: z.number().int().meta({
    description:
      "The ref's transition number: 1 for its first recorded change, counting on across deletions.",
  }),
  detectedAt: timestamp('When the poll observed the change.'),
  pullRequest: PullRequestSchema.optional().meta({
    description: 'Present on pull_request.* events.',
  }),
};

export const EventSchema = z.strictObject(event).meta({
  id: 'Event',
  description: 'A detected ref or pull request change; the data of a `change` message.',
});
export type ApiEvent = z.infer<typeof EventSchema>;

export const EventListItemSchema = z
  .strictObject({ ...event, deliveries: DeliveryCountsSchema })
  .meta({ id: 'EventListItem' });
export type EventListItem = z.infer<typeof EventListItemSchema>;

export const EventPageSchema = z
  .strictObject({
    events: z.array(EventListItemSchema).meta({ description: 'Newest first.' }),
    nextCursor: z.string().optional().meta({
      description: 'Pass as `cursor` for the next (older) page; absent on the last page.',
    }),
  })
  .meta({ id: 'EventPage' });
export type EventPage = z.infer<typeof EventPageSchema>;

export const EventDetailSchema = z
  .strictObject({ ...event, deliveries: z.array(DeliverySchema) })
  .meta({ id: 'EventDetail' });
export type EventDetail = z.infer<typeof EventDetailSchema>;
