import { z } from 'zod';
import { ApiErrorSchema } from '../schemas/error-schema.js';

/** One answer of a route: its description and its body. */
export interface ResponseContract {
  readonly description: string;
  /** The JSON body; absent when `mediaType` names another kind of body. */
  readonly body?: z.ZodType;
  /** A body that is text, not JSON. */
  readonly mediaType?: 'text/plain' | 'text/event-stream';
}

/**
 * One route of the API, declared once: the express route is mounted from it (mount-route.ts),
 * its parameters are validated from it (parse-request.ts) and the OpenAPI document is generated
 * from it (openapi-document.ts). The document adds the answers the rest of the contract implies:
 * 400 when it has parameters, 401/403 for a mutation or a guarded read, 413 for a mutation.
 */
export interface RouteContract {
  readonly method: 'get' | 'post';
  /** The OpenAPI path: `{name}` for a path parameter. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'health' | 'docs' | 'status' | 'repositories' | 'events';
  /** Needs `Authorization: Bearer <api.auth_token>` whatever api.auth_reads says. */
  readonly mutation?: true;
  readonly params?: z.ZodObject;
  /** Exactly these query parameters (a strict object); absent: the query string is ignored. */
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  /** The route's own answers, by status. */
  readonly responses: Readonly<Record<number, ResponseContract>>;
  /** Server-Sent Events: the data of each message type. */
  readonly messages?: Readonly<Record<string, z.ZodType>>;
}

/** Keeps the contract's literal type, so handlers get typed parameters. */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

export function json(body: z.ZodType, description: string): ResponseContract {
  return { description, body };
}

export function problem(description: string): ResponseContract {
  return json(ApiErrorSchema, description);
}

export const NOT_FOUND = problem('No such resource.');

/** For a route that takes no query parameter and refuses any (`bad-request`). */
export const NO_QUERY = z.strictObject({});
