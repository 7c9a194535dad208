import {
  OpenAPIRegistry,
  OpenApiGeneratorV3,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { VERSION } from '../version.js';
import { API_ROUTES } from './contract/api-routes.js';
import { problem, type ResponseContract, type RouteContract } from './contract/route-contract.js';
import { GUARDED_READ_PREFIXES } from './require-read-token.js';
import {
  DeliveryAttemptSchema,
  DeliveryChangeSchema,
  DeliveryCountsSchema,
  DeliverySchema,
  RedeliveredSchema,
} from './schemas/delivery-schemas.js';
import { ApiErrorSchema } from './schemas/error-schema.js';
import {
  EventDetailSchema,
  EventListItemSchema,
  EventPageSchema,
  EventSchema,
} from './schemas/event-schemas.js';
import { ComponentHealthSchema, HealthSchema, VersionSchema } from './schemas/health-schemas.js';
import {
  PollAcceptedSchema,
  RefSchema,
  RepositoryDetailSchema,
  RepositorySummarySchema,
} from './schemas/repository-schemas.js';
import { RateLimitSchema, StatusSchema } from './schemas/status-schemas.js';

/**
 * The OpenAPI 3 document of the HTTP API, generated from the route contracts (contract/) and
 * their zod schemas (schemas/): served at /openapi.json and shown by the Swagger UI.
 */

/**
 * The named schemas, in the order of components.schemas. Generated before the routes, so a
 * `nullable()` use of one is a nullable reference and never makes the component nullable.
 */
const COMPONENT_SCHEMAS: readonly z.ZodType[] = [
  ApiErrorSchema,
  ComponentHealthSchema,
  HealthSchema,
  VersionSchema,
  DeliveryCountsSchema,
  RateLimitSchema,
  StatusSchema,
  RepositorySummarySchema,
  RefSchema,
  RepositoryDetailSchema,
  PollAcceptedSchema,
  EventSchema,
  EventListItemSchema,
  EventPageSchema,
  DeliveryAttemptSchema,
  DeliverySchema,
  EventDetailSchema,
  RedeliveredSchema,
  DeliveryChangeSchema,
];

const BAD_REQUEST = problem('A parameter is invalid; `message` names it.');
const BAD_MUTATION = problem(
  'A parameter is invalid (`message` names it), or the body is not valid JSON.',
);
const UNAUTHORIZED = problem('No `Authorization: Bearer <api.auth_token>` header.');
const FORBIDDEN = problem(
  'Wrong token, or mutations are disabled because api.auth_token is empty.',
);
const TOO_LARGE = problem('The body is too large; these requests need none.');
const READ_UNAUTHORIZED = problem(
  'Only with api.auth_reads: true. No `Authorization: Bearer <api.auth_token>` header.',
);
const READ_FORBIDDEN = problem(
  'Only with api.auth_reads: true. The bearer token is not api.auth_token.',
);

/** A GET that api.auth_reads guards (require-read-token.ts). */
function isGuardedRead(route: RouteContract): boolean {
  return (
    route.method === 'get' &&
    GUARDED_READ_PREFIXES.some(
      (prefix) => route.path === prefix || route.path.startsWith(`${prefix}/`),
    )
  );
}

/** The route's own answers and those its parameters and its guard imply, by status. */
function responsesOf(route: RouteContract): Readonly<Record<number, ResponseContract>> {
  const validates = [route.params, route.query, route.headers].some((s) => s !== undefined);
  return {
    ...(validates ? { 400: route.mutation ? BAD_MUTATION : BAD_REQUEST } : {}),
    ...(route.mutation ? { 401: UNAUTHORIZED, 403: FORBIDDEN, 413: TOO_LARGE } : {}),
    ...(isGuardedRead(route) ? { 401: READ_UNAUTHORIZED, 403: READ_FORBIDDEN } : {}),
    ...route.responses,
  };
}

function responseConfig(response: ResponseContract): ResponseConfig {
  const { description, body, mediaType } = response;
  if (body !== undefined) return { description, content: { 'application/json': { schema: body } } };
  if (mediaType !== undefined)
    return { description, content: { [mediaType]: { schema: { type: 'string' } } } };
  return { description };
}

function componentRef(schema: z.ZodType): { $ref: string } {
  const id = z.globalRegistry.get(schema)?.id;
  if (id === undefined) throw new Error('An SSE message schema must be a named component');
  return { $ref: `#/components/schemas/${id}` };
}

/**
 * A mutation needs the bearer token. A guarded read is anonymous (`{}`) or bearer: the token is
 * needed only when api.auth_reads is true, which OpenAPI cannot express as a condition; both
 * alternatives are listed, the 401/403 answers say when.
 */
function securityOf(route: RouteContract): RouteConfig['security'] {
  if (route.mutation) return [{ bearer: [] }];
  if (isGuardedRead(route)) return [{}, { bearer: [] }];
  return undefined;
}

function routeConfig(route: RouteContract): RouteConfig {
  const security = securityOf(route);
  const responses = Object.entries(responsesOf(route)).map(
    ([status, response]) => [status, responseConfig(response)] as const,
  );
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    ...(security === undefined ? {} : { security }),
    request: {
      ...(route.params === undefined ? {} : { params: route.params }),
      ...(route.query === undefined ? {} : { query: route.query }),
      ...(route.headers === undefined ? {} : { headers: route.headers }),
    },
    responses: Object.fromEntries(responses),
    ...(route.messages === undefined
      ? {}
      : {
          'x-sse-messages': Object.fromEntries(
            Object.entries(route.messages).map(([name, schema]) => [name, componentRef(schema)]),
          ),
        }),
  };
}

export function buildOpenApiDocument(routes: readonly RouteContract[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'api.auth_token. Always needed by mutations; by reads only when api.auth_reads is true.',
  });
  for (const route of routes) registry.registerPath(routeConfig(route));
  const generator = new OpenApiGeneratorV3([
    ...COMPONENT_SCHEMAS.map((schema) => ({ type: 'schema' as const, schema })),
    ...registry.definitions,
  ]);
  return generator.generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'RepoSentry API',
      version: VERSION,
      description:
        'Health, status, repositories, detected events and their deliveries, live stream and metrics of a RepoSentry daemon. Mutating endpoints need `Authorization: Bearer <api.auth_token>`. With `api.auth_reads: true` every GET under /api/v1 (the event stream too) and /metrics need it as well; /healthz, /readyz, /health, /version, /openapi.json and /swagger/ stay open. Errors are `{error, message}` (schema `Error`).',
    },
  });
}

/** The document of every route in API_ROUTES. */
export const OPENAPI_DOCUMENT = buildOpenApiDocument(API_ROUTES);
