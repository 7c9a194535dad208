import type { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { OPENAPI_DOCUMENT } from '../openapi-document.js';

/** /openapi.json and the Swagger UI at /swagger/. */
export function mountDocsRoutes(router: Router): void {
  router.get('/openapi.json', (_req, res) => {
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
