import type { Router } from 'express';
import type { ApiContext } from '../api-context.js';
import { METRICS_ROUTE } from '../contract/health-contracts.js';
import { mountRoute } from '../mount-route.js';

/** /metrics: Prometheus text exposition. */
export function mountMetricsRoute(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, METRICS_ROUTE, async (_input, _req, res) => {
    const { contentType, body } = await ctx.renderMetrics();
    res.set('Content-Type', contentType).send(body);
  });
}
