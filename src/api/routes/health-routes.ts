import type { Router } from 'express';
import { VERSION } from '../../version.js';
import type { ApiContext } from '../api-context.js';
import {
  HEALTHZ_ROUTE,
  HEALTH_ROUTE,
  READYZ_ROUTE,
  VERSION_ROUTE,
} from '../contract/health-contracts.js';
import { mountRoute } from '../mount-route.js';
import type { Alive, Health, Ready, Version } from '../schemas/health-schemas.js';
import { sendError } from '../send-error.js';
import { healthView } from '../views/health-view.js';

/** /healthz, /readyz, /health, /version: answered from memory, never calling a remote. */
export function mountHealthRoutes(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, HEALTHZ_ROUTE, (_input, _req, res) => {
    res.json({ status: 'ok' } satisfies Alive);
  });
  mountRoute(router, ctx, READYZ_ROUTE, (_input, _req, res) => {
    if (ctx.isReady()) {
      res.json({ status: 'ready' } satisfies Ready);
      return;
    }
    sendError(res, 'not-ready', `Not ready: the daemon is ${ctx.health().phase}`);
  });
  mountRoute(router, ctx, HEALTH_ROUTE, (_input, _req, res) => {
    const health = healthView(ctx.health());
    res.status(health.status === 'unhealthy' ? 503 : 200).json(health satisfies Health);
  });
  mountRoute(router, ctx, VERSION_ROUTE, (_input, _req, res) => {
    res.json({ name: 'reposentry', version: VERSION, node: process.version } satisfies Version);
  });
}
