import type { NextFunction, Request, Response } from 'express';
import type { ApiConfig } from '../config/config-types.js';
import { acceptsBearer } from './require-token.js';
import { sendError } from './send-error.js';

/**
 * Where reads are guarded when api.auth_reads is true: every GET under /api/v1 (the event
 * stream included) and /metrics. Probes (/healthz, /readyz, /health), /version, /openapi.json
 * and /swagger/ stay open.
 */
export const GUARDED_READ_PREFIXES = ['/api/v1', '/metrics'] as const;

/**
 * Guards GET and HEAD with `Authorization: Bearer <api.auth_token>` while api.auth_reads is true.
 * The flag and the token are read from the running config on every request, so a reload turns
 * the guard on or off and rotates the token at once. Other methods pass: they read nothing
 * (POSTs carry their own requireToken, the rest answer 405, or 204 to OPTIONS).
 */
export function requireReadToken(api: () => ApiConfig) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const { authReads, authToken } = api();
    if (!authReads) {
      next();
      return;
    }
    if (authToken === undefined || authToken === '') {
      // validate refuses this combination; kept closed should a config ever get here.
      sendError(
        res,
        'forbidden',
        'Reads are refused: api.auth_reads is on but api.auth_token is empty',
      );
      return;
    }
    const missing = 'Send Authorization: Bearer <api.auth_token> (api.auth_reads is on)';
    if (acceptsBearer(req, res, authToken, missing)) next();
  };
}
