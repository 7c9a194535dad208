import type { Request, RequestHandler, Response, Router } from 'express';
import type { ApiContext } from './api-context.js';
import type { RouteContract } from './contract/route-contract.js';
import { parseRequest, type RequestInput } from './parse-request.js';
import { requireToken } from './require-token.js';

/** `/api/v1/events/{id}` -> `/api/v1/events/:id` */
export function expressPath(openapiPath: string): string {
  return openapiPath.replace(/\{(\w+)\}/g, ':$1');
}

export type RouteHandler<C extends RouteContract> = (
  input: RequestInput<C>,
  req: Request,
  res: Response,
) => void | Promise<void>;

/**
 * Mounts a route as its contract declares it: method and path, the bearer token for a mutation
 * (checked before anything else), then its parameters read by parseRequest; a problem with them
 * is thrown as `bad-request` for the error handler.
 */
export function mountRoute<C extends RouteContract>(
  router: Router,
  ctx: ApiContext,
  contract: C,
  handler: RouteHandler<C>,
): void {
  const handlers: RequestHandler[] = [];
  if (contract.mutation) handlers.push(requireToken(() => ctx.config().api.authToken));
  handlers.push((req, res) => handler(parseRequest(contract, req), req, res));
  router[contract.method](expressPath(contract.path), ...handlers);
}
