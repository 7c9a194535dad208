import type { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { ApiContext } from '../api-context.js';
import { OPENAPI_ROUTE } from '../contract/health-contracts.js';
import { mountRoute } from '../mount-route.js';
import { OPENAPI_DOCUMENT } from '../openapi-document.js';

/** /openapi.json and the Swagger UI at /swagger/. */
export function mountDocsRoutes(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, OPENAPI_ROUTE, (_input, _req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });
  router.use(
    '/swagger',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      customSiteTitle: 'RepoSentry API',
      swaggerOptions: { url: '../openapi.json' },
    }),
  );
}
