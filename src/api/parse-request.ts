import type { Request } from 'express';
import type { z } from 'zod';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { RouteContract } from './contract/route-contract.js';
import { quoted } from './schemas/param-schemas.js';

type PartName = 'params' | 'query' | 'headers';
type Parsed<C, K extends PartName> = C extends { readonly [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : Record<string, never>;

/** A request's parameters as its route contract reads them. */
export interface RequestInput<C extends RouteContract> {
  readonly query: Parsed<C, 'query'>;
  readonly params: Parsed<C, 'params'>;
  readonly headers: Parsed<C, 'headers'>;
}

/**
 * Reads a request's query string, path parameters and headers with the schemas of its route
 * contract, in that order. The first problem is a `bad-request` naming the parameter: an unknown
 * query parameter before any value (`"colour" is not a query parameter here; known: ...`), then
 * the first bad value in the order the contract declares them (`limit: "0" is not ...`).
 */
export function parseRequest<C extends RouteContract>(contract: C, req: Request): RequestInput<C> {
  const headers = contract.headers;
  return {
    query: parsePart(contract.query, req.query),
    params: parsePart(contract.params, req.params),
    headers: parsePart(
      headers,
      headers &&
        Object.fromEntries(Object.keys(headers.shape).map((name) => [name, req.get(name)])),
    ),
  } as RequestInput<C>;
}

function parsePart(schema: z.ZodObject | undefined, input: unknown): unknown {
  if (schema === undefined) return {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ReposentryError('bad-request', describeProblem(schema, result.error.issues));
}

function describeProblem(schema: z.ZodObject, issues: readonly z.core.$ZodIssue[]): string {
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown !== undefined) {
    const known = Object.keys(schema.shape).join(', ') || 'none';
    return `${quoted(unknown.keys[0])} is not a query parameter here; known: ${known}`;
  }
  const [first] = issues;
  return first === undefined
    ? 'The request is invalid'
    : `${first.path.join('.')}: ${first.message}`;
}
