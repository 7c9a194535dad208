import type { NextFunction, Request, Response } from 'express';

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
/** The Swagger UI page loads its own scripts and styles (and inline styles) from this server. */
const SWAGGER_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

/**
 * The headers helmet would set, for an API without cookies: no sniffing, no framing, no
 * referrer, no caching of answers that change every second, and a strict content policy. No
 * CORS headers at all: browsers on other origins cannot read the API.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': req.path.startsWith('/swagger') ? SWAGGER_POLICY : API_POLICY,
    'Cache-Control': 'no-store',
  });
  next();
}
