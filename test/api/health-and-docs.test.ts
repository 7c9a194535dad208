import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressPath } from '../../src/api/mount-route.js';
import { OPENAPI_DOCUMENT } from '../../src/api/openapi-document.js';
import { VERSION } from '../../src/version.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';
import { INTAKE_ROUTES } from '../../src/api/routes/intake-routes.js';

describe('API health, version and documentation', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApiFixture();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers /healthz, /readyz and /health while running', async () => {
    expect(await api.json('/healthz')).toEqual({ status: 'ok' });
    expect((await api.call('/readyz')).status).toBe(200);
    const health = await api.call('/health');
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; components: Record<string, unknown> };
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.components)).toEqual(
      expect.arrayContaining(['storage', 'api', 'trigger', 'scheduler']),
    );
  });

  it('lists no replicas on SQLite, where one daemon uses the database file', async () => {
    expect(await api.json('/api/v1/replicas')).toEqual({
      storage: 'sqlite',
      leaseTtlSeconds: 15,
      replicas: [],
    });
  });

  it('serves /version', async () => {
    expect(await api.json('/version')).toEqual({
      name: 'reposentry',
      version: VERSION,
      node: process.version,
    });
  });

  it('serves a valid OpenAPI 3 document at /openapi.json', async () => {
    const document = await api.json('/openapi.json');
    expect(document).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('serves exactly the routes the document describes', async () => {
    const documented = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${expressPath(path)}`),
    );
    const served = servedRoutes(api);
    expect(served.sort()).toEqual([...documented, ...INTAKE_ROUTES].sort());
    // And each documented GET answers something other than 404/405 on the real server.
    for (const route of documented.filter((r) => r.startsWith('GET ') && !r.includes(':'))) {
      const path = route.slice(4);
      if (path.endsWith('/stream')) continue;
      const response = await api.call(path);
      expect([200, 503], `${route} -> ${response.status}`).toContain(response.status);
    }
  });

  it('shows the Swagger UI at /swagger/ pointing at the document', async () => {
    const page = await api.call('/swagger/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const init = await api.call('/swagger/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('../openapi.json');
  });
});

/** The method/path pairs of every route registered on the live express app. */
function servedRoutes(api: ApiFixture): string[] {
  const server = api.daemon.daemon.api as unknown as { app?: unknown };
  const app = (server.app ?? undefined) as
    | {
        router: {
          stack: {
            route?: {
              path: string;
              methods: Record<string, boolean>;
              stack?: { handle?: { name?: string } }[];
            };
            handle?: { stack?: unknown[] };
          }[];
        };
      }
    | undefined;
  if (app === undefined) throw new Error('ApiServer does not expose its app');
  const routes: string[] = [];
  const walk = (stack: unknown[]): void => {
    for (const layer of stack as {
      route?: {
        path: string;
        methods: Record<string, boolean>;
        stack?: { handle?: { name?: string } }[];
      };
      handle?: { stack?: unknown[] };
    }[]) {
      if (layer.route && isMethodNotAllowed(layer.route)) continue;
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
        for (const method of methods) routes.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(app.router.stack);
  return routes;
}

/** The catch-all routes answering 405 for the other methods of a documented path. */
function isMethodNotAllowed(route: { stack?: { handle?: { name?: string } }[] }): boolean {
  return route.stack?.some((layer) => layer.handle?.name === 'methodNotAllowed') ?? false;
}
