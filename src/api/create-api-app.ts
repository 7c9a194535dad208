import express, { type NextFunction, type Request, type Response } from 'express';
import { ReposentryError, errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { ApiContext } from './api-context.js';
import { API_ROUTES } from './contract/api-routes.js';
import { expressPath } from './mount-route.js';
import { mountDocsRoutes } from './routes/docs-routes.js';
import { mountEventRoutes } from './routes/event-routes.js';
import { mountEventStreamRoute, type EventStreamOptions } from './routes/event-stream-route.js';
import { mountHealthRoutes } from './routes/health-routes.js';
import { mountIntakeRoutes } from './routes/intake-routes.js';
import { mountMetricsRoute } from './routes/metrics-route.js';
import { mountRepositoryRoutes } from './routes/repository-routes.js';
import { mountReplicaRoutes } from './routes/replica-routes.js';
import { mountStatusRoutes } from './routes/status-routes.js';
import { GUARDED_READ_PREFIXES, requireReadToken } from './require-read-token.js';
import { securityHeaders } from './security-headers.js';
import { sendError, statusOfCode } from './send-error.js';

export const JSON_BODY_LIMIT = '16kb';

/**
 * The express app of the API: security headers, a small JSON body limit, the read guard of
 * api.auth_reads, the routes of API_ROUTES, 405 for a known path with another method, 404
 * JSON for anything else, and an error handler that turns error codes into statuses and never
 * shows a stack.
 */
export function createApiApp(ctx: ApiContext, log: Logger, stream: EventStreamOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  // Webhooks come before the JSON parser: their signature is over the raw body, larger than it.
  const hooks = express.Router({ strict: false, caseSensitive: true });
  mountIntakeRoutes(hooks, ctx);
  app.use(hooks);
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  const router = express.Router({ strict: false, caseSensitive: true });
  router.use(
    [...GUARDED_READ_PREFIXES],
    requireReadToken(() => ctx.config().api),
  );
  mountHealthRoutes(router, ctx);
  mountMetricsRoute(router, ctx);
  mountDocsRoutes(router, ctx);
  mountStatusRoutes(router, ctx);
  mountReplicaRoutes(router, ctx);
  mountRepositoryRoutes(router, ctx);
  mountEventStreamRoute(router, ctx, stream);
  mountEventRoutes(router, ctx);
  app.use(router);

  for (const path of new Set(API_ROUTES.map((route) => route.path))) {
    const allowed = API_ROUTES.filter((route) => route.path === path).map((route) =>
      route.method.toUpperCase(),
    );
    if (allowed.includes('GET')) allowed.push('HEAD');
    app.all(expressPath(path), function methodNotAllowed(req: Request, res: Response) {
      res.set('Allow', allowed.join(', '));
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      sendError(
        res,
        'method-not-allowed',
        `${req.method} is not allowed here; use ${allowed.join(', ')}`,
      );
    });
  }

  app.use((req, res) => {
    sendError(res, 'not-found', `No route ${req.method} ${req.path.slice(0, 200)}`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = bodyParserError(err) ?? err;
    const code = errorCodeOf(known);
    if (statusOfCode(code) >= 500) {
      log.error('API request failed', {
        method: req.method,
        path: req.path.slice(0, 200),
        code,
        error: errorMessageOf(known),
      });
    }
    sendError(res, code, errorMessageOf(known));
  });
  return app;
}

/** Errors of express.json(): malformed JSON, too large, unsupported charset. */
function bodyParserError(err: unknown): ReposentryError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  const type = err.type;
  if (type === 'entity.too.large')
    return new ReposentryError('payload-too-large', `The body is larger than ${JSON_BODY_LIMIT}`);
  if (type === 'entity.parse.failed')
    return new ReposentryError('bad-request', 'The body is not valid JSON');
  if (
    typeof type === 'string' &&
    (type.startsWith('entity.') || type.startsWith('charset.') || type.startsWith('encoding.'))
  )
    return new ReposentryError('bad-request', 'The body could not be read');
  return undefined;
}
