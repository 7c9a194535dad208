import { EVENT_TYPES } from '../events/change-event.js';
import querystring from 'node:querystring';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { ReposentryError } from '../errors/reposentry-error.js';
import { EVENT_LIST_ROUTE, EVENT_ROUTE, EVENT_STREAM_ROUTE } from './contract/event-contracts.js';
import { REPOSITORY_LIST_ROUTE, REPOSITORY_ROUTE } from './contract/repository-contracts.js';
import type { RouteContract } from './contract/route-contract.js';
import { parseRequest } from './parse-request.js';

/** What express hands a handler: the query as its 'simple' parser reads it (node:querystring). */
function request(
  qs: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Request {
  return {
    query: querystring.parse(qs),
    params,
    get: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

function problemOf(contract: RouteContract, req: Request): string {
  try {
    parseRequest(contract, req);
  } catch (err) {
    expect(err).toBeInstanceOf(ReposentryError);
    expect((err as ReposentryError).code).toBe('bad-request');
    return (err as Error).message;
  }
  throw new Error('the request was accepted');
}

const KNOWN = 'known: repository, ref, type, status, since, limit, cursor';
const TYPES = EVENT_TYPES.join(', ');

/** The messages of the hand-written reader this replaced, for the same query strings. */
const LIST_PROBLEMS: [string, string][] = [
  ['limit=0', 'limit: "0" is not an integer from 1 to 1000'],
  ['limit=abc', 'limit: "abc" is not an integer from 1 to 1000'],
  ['limit=1001', 'limit: "1001" is not an integer from 1 to 1000'],
  ['limit=1&limit=2', 'limit: give it once, as a plain value'],
  ['limit=', 'limit: must not be empty'],
  ['limit=0000', 'limit: "0000" is not an integer from 1 to 1000'],
  ['limit=99999999999999999999', 'limit: "99999999999999999999" is not an integer from 1 to 1000'],
  ['limit=999999999999999999999', 'limit: longer than 20 characters'],
  ['limit=%2B5', 'limit: "+5" is not an integer from 1 to 1000'],
  ['limit=%205', 'limit: " 5" is not an integer from 1 to 1000'],
  ['limit=1e3', 'limit: "1e3" is not an integer from 1 to 1000'],
  ['limit=-1', 'limit: "-1" is not an integer from 1 to 1000'],
  ['limit=1.0', 'limit: "1.0" is not an integer from 1 to 1000'],
  ['limit=%00', 'limit: contains control characters'],
  ['type=branch.moved', `type: "branch.moved" is not one of ${TYPES}`],
  ['type=', 'type: must not be empty'],
  [`type=${'x'.repeat(101)}`, 'type: longer than 100 characters'],
  ['type=a&type=b', 'type: give it once, as a plain value'],
  ['status=lost', 'status: "lost" is not one of pending, in_flight, delivered, failed'],
  [
    'since=yesterday',
    'since: "yesterday" is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z',
  ],
  [
    'since=2026-13-01T12:00:00Z',
    'since: "2026-13-01T12:00:00Z" is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z',
  ],
  [
    'since=2026-01-31T12:00Z',
    'since: "2026-01-31T12:00Z" is not an RFC 3339 date-time such as 2026-01-31T12:00:00Z',
  ],
  [`since=${'2'.repeat(41)}`, 'since: longer than 40 characters'],
  [`cursor=${'c'.repeat(101)}`, 'cursor: longer than 100 characters'],
  ['ref=main', 'ref: give the full ref name, e.g. refs/heads/main or refs/tags/v1.0'],
  ['ref=refs%2Fheads%0A', 'ref: contains control characters'],
  ['ref=', 'ref: must not be empty'],
  ['repository=', 'repository: must not be empty'],
  ['repository=a%00b', 'repository: contains control characters'],
  ['repository=a%7Fb', 'repository: contains control characters'],
  [`repository=${'r'.repeat(201)}`, 'repository: longer than 200 characters'],
  [`repository=${'r'.repeat(70)}%00`, `repository: contains control characters`],
  ['colour=blue', `"colour" is not a query parameter here; ${KNOWN}`],
  ['colour=blue&limit=abc', `"colour" is not a query parameter here; ${KNOWN}`],
  ['limit=abc&colour=blue', `"colour" is not a query parameter here; ${KNOWN}`],
  ['__proto__=x', `"__proto__" is not a query parameter here; ${KNOWN}`],
  ['=x', `"" is not a query parameter here; ${KNOWN}`],
  ['type=x&status=y', `type: "x" is not one of ${TYPES}`],
];

describe('parseRequest', () => {
  it.each(LIST_PROBLEMS)('answers bad-request naming the parameter: %s', (qs, message) => {
    expect(problemOf(EVENT_LIST_ROUTE, request(qs))).toBe(message);
  });

  it('reports the first bad parameter in the order the contract declares them', () => {
    expect(problemOf(EVENT_LIST_ROUTE, request('limit=0&ref=main'))).toBe(
      'ref: give the full ref name, e.g. refs/heads/main or refs/tags/v1.0',
    );
    expect(problemOf(EVENT_LIST_ROUTE, request('ref=main&repository='))).toBe(
      'repository: must not be empty',
    );
  });

  it('shows a long bad value cut at 60 characters, on one line', () => {
    expect(problemOf(EVENT_LIST_ROUTE, request(`type=${'y'.repeat(99)}`))).toBe(
      `type: "${'y'.repeat(60)}…" is not one of ${TYPES}`,
    );
  });

  it('reads the values of a good query: numbers, epoch milliseconds and the default page size', () => {
    expect(parseRequest(EVENT_LIST_ROUTE, request('')).query).toEqual({ limit: 50 });
    expect(
      parseRequest(
        EVENT_LIST_ROUTE,
        request(
          'repository=app&ref=refs/heads/main&type=branch.created&status=in_flight&limit=0005&cursor=garbage',
        ),
      ).query,
    ).toEqual({
      repository: 'app',
      ref: 'refs/heads/main',
      type: 'branch.created',
      status: 'in_flight',
      limit: 5,
      cursor: 'garbage',
    });
    for (const [since, at] of [
      ['2026-01-31T12:00:00Z', 1769860800000],
      ['2026-01-31t12:00:00z', 1769860800000],
      ['2026-01-31T12:00:00.123456789%2B02:00', 1769853600123],
      ['2026-02-30T12:00:00Z', 1772452800000],
    ] as const) {
      expect(parseRequest(EVENT_LIST_ROUTE, request(`since=${since}`)).query.since).toBe(at);
    }
    expect(parseRequest(EVENT_LIST_ROUTE, request('limit=1000')).query.limit).toBe(1000);
  });

  it('refuses every query parameter where the route takes none', () => {
    expect(problemOf(REPOSITORY_LIST_ROUTE, request('x=1'))).toBe(
      '"x" is not a query parameter here; known: none',
    );
  });

  it('checks path parameters after the query', () => {
    const name = (value: string, qs = '') =>
      problemOf(REPOSITORY_ROUTE, request(qs, { name: value }));
    expect(name('')).toBe('name: missing');
    expect(name('x'.repeat(201))).toBe('name: longer than 200 characters');
    expect(name('a\u0000b')).toBe('name: contains control characters');
    expect(name('a\u007f')).toBe('name: contains control characters');
    expect(name('a\u0000b', 'x=1')).toBe('"x" is not a query parameter here; known: none');
    expect(parseRequest(REPOSITORY_ROUTE, request('', { name: '\u202e' })).params).toEqual({
      name: '\u202e',
    });

    const id = (value: string) => problemOf(EVENT_ROUTE, request('', { id: value }));
    expect(id('not-an-id')).toBe('id: "not-an-id" is not a valid id');
    expect(id('00000000-0000-5000-8000-00000000000A')).toBe(
      'id: "00000000-0000-5000-8000-00000000000A" is not a valid id',
    );
    expect(id('x'.repeat(37))).toBe('id: longer than 36 characters');
    expect(id('\u0000')).toBe('id: contains control characters');
    expect(id('')).toBe('id: missing');
    const uuid = '00000000-0000-5000-8000-000000000000';
    expect(parseRequest(EVENT_ROUTE, request('', { id: uuid })).params.id).toBe(uuid);
  });

  it('reads Last-Event-ID as a seq; empty or absent means none', () => {
    const resume = (value?: string) =>
      parseRequest(
        EVENT_STREAM_ROUTE,
        request('', {}, value === undefined ? {} : { 'last-event-id': value }),
      ).headers['Last-Event-ID'];
    expect(resume()).toBeUndefined();
    expect(resume('')).toBeUndefined();
    expect(resume('42')).toBe(42);
    expect(resume('999999999999999')).toBe(999_999_999_999_999);
    for (const bad of ['abc', '-1', '1.5', '1000000000000000', ' 1'])
      expect(problemOf(EVENT_STREAM_ROUTE, request('', {}, { 'last-event-id': bad })), bad).toBe(
        'Last-Event-ID: must be an event seq (an integer)',
      );
  });
});
