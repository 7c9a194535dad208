import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './send-error.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when the request carries `Authorization: Bearer <expected>` (compared in constant time).
 * Otherwise answers it: 401 with WWW-Authenticate and `missing` as the message when there is no
 * bearer token, 403 for a wrong one.
 */
export function acceptsBearer(
  req: Request,
  res: Response,
  expected: string,
  missing: string,
): boolean {
  const header = req.get('authorization');
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (match?.[1] === undefined) {
    res.set('WWW-Authenticate', 'Bearer realm="reposentry"');
    sendError(res, 'unauthorized', missing);
    return false;
  }
  if (!timingSafeEqual(digest(match[1]), digest(expected))) {
    sendError(res, 'forbidden', 'The bearer token is not api.auth_token');
    return false;
  }
  return true;
}

/**
 * Guards a mutating route with `Authorization: Bearer <api.auth_token>`, read from the running
 * config on every request (a reload can set, change or clear it). No token configured: every
 * mutation is refused (403). Missing header: 401. Wrong token: 403.
 */
export function requireToken(token: () => string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = token();
    if (expected === undefined || expected === '') {
      sendError(
        res,
        'forbidden',
        'Mutations are disabled: set api.auth_token in the config to enable them',
      );
      return;
    }
    if (acceptsBearer(req, res, expected, 'Send Authorization: Bearer <api.auth_token>')) next();
  };
}
