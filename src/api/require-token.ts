import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './send-error.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Guards a mutating route with `Authorization: Bearer <api.auth_token>`, read from the running
 * config on every request (a reload can set, change or clear it). No token configured: every
 * mutation is refused (403). Missing header: 401. Wrong token: 403. Compared in constant time.
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
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match?.[1] === undefined) {
      res.set('WWW-Authenticate', 'Bearer realm="reposentry"');
      sendError(res, 'unauthorized', 'Send Authorization: Bearer <api.auth_token>');
      return;
    }
    if (!timingSafeEqual(digest(match[1]), digest(expected))) {
      sendError(res, 'forbidden', 'The bearer token is not api.auth_token');
      return;
    }
    next();
  };
}
