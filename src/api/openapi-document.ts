import { EVENT_TYPES } from '../events/change-event.js';
import { DELIVERY_STATUSES } from '../storage/storage-types.js';
import { HEALTH_STATES } from '../runtime/component.js';
import { MAX_EVENT_PAGE_SIZE } from '../storage/event-store.js';
import { VERSION } from '../version.js';

/**
 * The OpenAPI 3 description of the HTTP API: the one source of the routes and their shapes,
 * served at /openapi.json and shown by the Swagger UI. A test checks that the app serves
 * exactly these paths and methods.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
const str = (description?: string): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const time = (description: string): Schema => ({
  type: 'string',
  format: 'date-time',
  description,
});
const int = (description?: string): Schema => ({
  type: 'integer',
  ...(description ? { description } : {}),
});
const object = (
  properties: Record<string, Schema>,
  required = Object.keys(properties),
): Schema => ({
  type: 'object',
  properties,
  required,
});

const json = (schema: Schema, description: string): Schema => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string): Schema => json(ref('Error'), description);

const BAD_REQUEST = problem('A parameter is invalid; `message` names it.');
const NOT_FOUND = problem('No such resource.');
const UNAUTHORIZED = problem('No `Authorization: Bearer <api.auth_token>` header.');
const FORBIDDEN = problem(
  'Wrong token, or mutations are disabled because api.auth_token is empty.',
);
/** The answers a read adds when api.auth_reads is true. */
const READ_REFUSED = {
  '401': problem(
    'Only with api.auth_reads: true. No `Authorization: Bearer <api.auth_token>` header.',
  ),
  '403': problem('Only with api.auth_reads: true. The bearer token is not api.auth_token.'),
};

const nameParam = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'Repository name as configured.',
  schema: { type: 'string', maxLength: 200 },
};
const eventIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'Event id (UUID-shaped, derived from repository, ref, before, after and transition number).',
  schema: {
    type: 'string',
    pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  },
};

const schemas: Record<string, Schema> = {
  Error: object({
    error: str('Stable error code, e.g. `bad-request`, `not-found`, `unauthorized`.'),
    message: str('What went wrong, naming the offending parameter.'),
  }),
  ComponentHealth: object(
    {
      status: { type: 'string', enum: [...HEALTH_STATES] },
      message: str(),
      details: { type: 'object', additionalProperties: true },
    },
    ['status'],
  ),
  Health: object({
    status: { type: 'string', enum: [...HEALTH_STATES] },
    phase: str('Runtime phase: created, starting, running, stopping, stopped or failed.'),
    components: { type: 'object', additionalProperties: ref('ComponentHealth') },
  }),
  Version: object({ name: str(), version: str(), node: str() }),
  DeliveryCounts: object(Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, int()]))),
  RateLimit: object(
    {
      provider: { type: 'string', enum: ['github', 'gitlab'] },
      host: str('API host.'),
      account: str('Which token: `sha256:<8 hex>` of its hash, or `anonymous`. Never the token.'),
      limit: int(),
      remaining: int(),
      resetAt: time('When the quota resets.'),
      waitingUntil: time('Present while polls wait for the reset.'),
    },
    ['provider', 'host', 'account', 'limit', 'remaining', 'resetAt'],
  ),
  Status: object({
    name: str(),
    version: str(),
    startedAt: time('When this process started.'),
    uptimeSeconds: int(),
    ready: { type: 'boolean' },
    health: ref('Health'),
    repositories: object({
      configured: int(),
      failing: int('Repositories whose last poll failed.'),
      usingFallback: int('Forge repositories last polled through git ls-remote.'),
    }),
    events: object({ total: int() }),
    deliveries: object({
      byStatus: ref('DeliveryCounts'),
      oldestPendingAgeSeconds: nullable({ type: 'number' }),
    }),
    config: object({
      file: nullable(str('The config file, or null for an embedded config (demo).')),
      generation: int('1 for the start-up config, +1 per applied reload.'),
      lastReloadAt: nullable(time('Last applied reload.')),
      lastReloadError: nullable(
        object({
          at: time('When the rejected reload happened.'),
          problems: { type: 'array', items: str() },
        }),
      ),
    }),
    rateLimits: { type: 'array', items: ref('RateLimit') },
  }),
  RepositorySummary: object({
    name: str(),
    provider: { type: 'string', enum: ['github', 'gitlab', 'git'] },
    enabled: { type: 'boolean', description: 'false: configured but not polled.' },
    url: str(),
    branchRegex: str(),
    tagRegex: nullable(str('Absent: tags are not watched.')),
    pollingIntervalSeconds: { type: 'number' },
    eventListenerUrl: str('Credentials in the URL are shown as [REDACTED].'),
    payloadFormat: { type: 'string', enum: ['github', 'gitlab', 'cloudevents', 'reposentry'] },
    state: nullable(
      str('Scheduler state: scheduled, queued, polling, or null when not scheduled.'),
    ),
    lastPollAt: nullable(time('Last poll, successful or not.')),
    lastSuccessAt: nullable(time('Last successful poll.')),
    nextPollAt: nullable(time('Next scheduled poll.')),
    lastError: nullable(object({ code: str(), message: str() })),
    consecutiveFailures: int(),
    via: nullable({ type: 'string', enum: ['api', 'ls-remote'] }),
    fallbackInUse: {
      type: 'boolean',
      description: 'A GitHub/GitLab repository whose last successful poll used git ls-remote.',
    },
    rateLimit: nullable(ref('RateLimit')),
    refCount: int('Refs recorded for this repository.'),
  }),
  RepositoryDetail: {
    allOf: [
      ref('RepositorySummary'),
      object({
        refs: {
          type: 'array',
          items: object({
            ref: str('Full ref name.'),
            sha: str(),
            seenAt: time('First recorded.'),
            updatedAt: time('Sha last changed.'),
          }),
        },
      }),
    ],
  },
  PollAccepted: object({ repository: str(), message: str() }),
  Event: object({
    id: str(),
    seq: int('Insertion order; the SSE message id.'),
    repository: str(),
    repositoryUrl: str(),
    provider: str(),
    ref: str('Full ref name.'),
    refName: str('Branch or tag name.'),
    type: { type: 'string', enum: [...EVENT_TYPES] },
    before: nullable(str('Sha before; null for *.created.')),
    after: nullable(str('Sha after; null for *.deleted.')),
    transition: int(
      "The ref's transition number: 1 for its first recorded change, counting on across deletions.",
    ),
    detectedAt: time('When the poll observed the change.'),
  }),
  EventListItem: {
    allOf: [ref('Event'), object({ deliveries: ref('DeliveryCounts') })],
  },
  EventPage: object(
    {
      events: { type: 'array', items: ref('EventListItem') },
      nextCursor: str('Pass as `cursor` for the next (older) page; absent on the last page.'),
    },
    ['events'],
  ),
  DeliveryAttempt: object({
    attempt: int('X-RepoSentry-Delivery-Attempt of this attempt.'),
    at: time('When it was sent.'),
    statusCode: nullable(int('HTTP status; null when no response arrived.')),
    latencyMs: int(),
    error: nullable(str()),
  }),
  Delivery: object({
    id: int(),
    targetUrl: str('Credentials in the URL are shown as [REDACTED].'),
    format: str(),
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    attempts: int('Attempts ever made.'),
    nextAttemptAt: nullable(time('When a pending delivery is due.')),
    lastStatusCode: nullable(int()),
    lastError: nullable(str()),
    createdAt: time('When the delivery was queued first.'),
    deliveredAt: nullable(time('When it was delivered.')),
    attemptLog: { type: 'array', items: ref('DeliveryAttempt') },
  }),
  EventDetail: {
    allOf: [ref('Event'), object({ deliveries: { type: 'array', items: ref('Delivery') } })],
  },
  Redelivered: object({
    event: str(),
    deliveries: { type: 'array', items: ref('Delivery') },
  }),
};

const queryParam = (name: string, description: string, schema: Schema): Schema => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const mutating = { security: [{ bearer: [] }] };
/**
 * A read: anonymous (`{}`) or bearer. The token is needed only when api.auth_reads is true, which
 * OpenAPI cannot express as a condition; both alternatives are listed, the 401/403 answers say when.
 */
const reading = { security: [{}, { bearer: [] }] };

export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: {
    title: 'RepoSentry API',
    version: VERSION,
    description:
      'Health, status, repositories, detected events and their deliveries, live stream and metrics of a RepoSentry daemon. Mutating endpoints need `Authorization: Bearer <api.auth_token>`. With `api.auth_reads: true` every GET under /api/v1 (the event stream too) and /metrics need it as well; /healthz, /readyz, /health, /version, /openapi.json and /swagger/ stay open.',
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'api.auth_token. Always needed by mutations; by reads only when api.auth_reads is true.',
      },
    },
    schemas,
  },
  paths: {
    '/healthz': {
      get: {
        summary: 'Liveness: the process answers.',
        tags: ['health'],
        responses: { '200': json(object({ status: str() }), 'Alive.') },
      },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: storage open and every component running.',
        tags: ['health'],
        responses: {
          '200': json(object({ status: str() }), 'Ready.'),
          '503': problem('Starting or stopping.'),
        },
      },
    },
    '/health': {
      get: {
        summary:
          'Per-component health; 503 when unhealthy. Never calls the Git host or the EventListener.',
        tags: ['health'],
        responses: {
          '200': json(ref('Health'), 'Healthy or degraded.'),
          '503': json(ref('Health'), 'Unhealthy.'),
        },
      },
    },
    '/version': {
      get: {
        summary: 'Version of the daemon.',
        tags: ['health'],
        responses: { '200': json(ref('Version'), 'Version.') },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics.',
        tags: ['health'],
        ...reading,
        responses: {
          '200': {
            description: 'Prometheus text exposition format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...READ_REFUSED,
        },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This document.',
        tags: ['docs'],
        responses: { '200': json({ type: 'object' }, 'OpenAPI 3 document.') },
      },
    },
    '/api/v1/status': {
      get: {
        summary: 'Components, counts, config reload state and rate limits.',
        tags: ['status'],
        ...reading,
        responses: { '200': json(ref('Status'), 'Status.'), ...READ_REFUSED },
      },
    },
    '/api/v1/repositories': {
      get: {
        summary: 'Every configured repository with its poll state.',
        tags: ['repositories'],
        ...reading,
        responses: {
          '200': json(
            object({ repositories: { type: 'array', items: ref('RepositorySummary') } }),
            'Repositories in config order.',
          ),
          ...READ_REFUSED,
        },
      },
    },
    '/api/v1/repositories/{name}': {
      get: {
        summary: 'One repository with its recorded refs and shas.',
        tags: ['repositories'],
        ...reading,
        parameters: [nameParam],
        responses: {
          '200': json(ref('RepositoryDetail'), 'The repository.'),
          '400': BAD_REQUEST,
          ...READ_REFUSED,
          '404': NOT_FOUND,
        },
      },
    },
    '/api/v1/repositories/{name}/poll': {
      post: {
        summary: 'Poll the repository now.',
        tags: ['repositories'],
        ...mutating,
        parameters: [nameParam],
        responses: {
          '202': json(ref('PollAccepted'), 'Queued for polling now.'),
          '400': BAD_REQUEST,
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': NOT_FOUND,
          '409': problem('A poll is already queued or running, or the repository is disabled.'),
          '503': problem('The daemon is not running.'),
        },
      },
    },
    '/api/v1/events': {
      get: {
        summary: 'Detected events, newest first, cursor-paginated.',
        tags: ['events'],
        ...reading,
        parameters: [
          queryParam('repository', 'Only this repository.', { type: 'string', maxLength: 200 }),
          queryParam('ref', 'Only this full ref name, e.g. refs/heads/main.', {
            type: 'string',
            maxLength: 1024,
          }),
          queryParam('type', 'Only this event type.', { type: 'string', enum: [...EVENT_TYPES] }),
          queryParam('status', 'Only events with a delivery in this status.', {
            type: 'string',
            enum: [...DELIVERY_STATUSES],
          }),
          queryParam('since', 'Only events detected at or after this time (RFC 3339).', {
            type: 'string',
            format: 'date-time',
          }),
          queryParam('limit', 'Page size.', {
            type: 'integer',
            minimum: 1,
            maximum: MAX_EVENT_PAGE_SIZE,
            default: 50,
          }),
          queryParam('cursor', '`nextCursor` of the previous page.', {
            type: 'string',
            maxLength: 100,
          }),
        ],
        responses: {
          '200': json(ref('EventPage'), 'One page of events.'),
          '400': BAD_REQUEST,
          ...READ_REFUSED,
        },
      },
    },
    '/api/v1/events/stream': {
      get: {
        summary:
          'Server-Sent Events: `change` per new event, `delivery` per delivery state change.',
        description:
          'Each `change` message carries an event (as in /api/v1/events) and its `seq` as the SSE id. Reconnect with `Last-Event-ID` to receive the events recorded since; `delivery` messages are live only (the event detail has the full record). A comment line is sent as keep-alive.',
        tags: ['events'],
        ...reading,
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Resume after this event seq.',
            schema: { type: 'integer', minimum: 0 },
          },
        ],
        responses: {
          '200': {
            description: 'An endless text/event-stream.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '400': BAD_REQUEST,
          ...READ_REFUSED,
        },
      },
    },
    '/api/v1/events/{id}': {
      get: {
        summary: 'One event with every delivery and every attempt.',
        tags: ['events'],
        ...reading,
        parameters: [eventIdParam],
        responses: {
          '200': json(ref('EventDetail'), 'The event.'),
          '400': BAD_REQUEST,
          ...READ_REFUSED,
          '404': NOT_FOUND,
        },
      },
    },
    '/api/v1/events/{id}/redeliver': {
      post: {
        summary: 'Queue every delivery of the event again (same bytes, new attempt numbers).',
        tags: ['events'],
        ...mutating,
        parameters: [eventIdParam],
        responses: {
          '202': json(ref('Redelivered'), 'Queued.'),
          '400': BAD_REQUEST,
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': NOT_FOUND,
          '409': problem('A delivery of this event is still pending or in flight.'),
        },
      },
    },
  },
} as const;
