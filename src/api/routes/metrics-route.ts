import type { Router } from 'express';
import type { ApiContext } from '../api-context.js';

/** /metrics: Prometheus text exposition. */
export function mountMetricsRoute(router: Router, ctx: ApiContext): void {
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await ctx.renderMetrics();
    res.set('Content-Type', contentType).send(body);
  });
}
