import type { Router } from 'express';
import { VERSION } from '../../version.js';
import type { ApiContext } from '../api-context.js';
import { sendError } from '../send-error.js';

/** /healthz, /readyz, /health, /version: answered from memory, never calling a remote. */
export function mountHealthRoutes(router: Router, ctx: ApiContext): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (ctx.isReady()) {
      res.json({ status: 'ready' });
      return;
    }
    sendError(res, 'not-ready', `Not ready: the daemon is ${ctx.health().phase}`);
  });
  router.get('/health', (_req, res) => {
    const health = ctx.health();
    res.status(health.status === 'unhealthy' ? 503 : 200).json(health);
  });
  router.get('/version', (_req, res) => {
    res.json({ name: 'reposentry', version: VERSION, node: process.version });
  });
}
