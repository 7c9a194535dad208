import type { Router } from 'express';
import { VERSION } from '../../version.js';
import type { ApiContext, DiscoveryEntryFacts } from '../api-context.js';
import { STATUS_ROUTE } from '../contract/health-contracts.js';
import { mountRoute } from '../mount-route.js';
import type { DiscoveryEntry, Status } from '../schemas/status-schemas.js';
import { healthView } from '../views/health-view.js';
import { rateLimitView } from '../views/repository-view.js';
import { urlWithoutCredentials } from '../views/url-without-credentials.js';

/** /api/v1/status: the one page an operator looks at first. */
export function mountStatusRoutes(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, STATUS_ROUTE, async (_input, _req, res) => {
    const config = ctx.config();
    const now = Date.now();
    const polls = await ctx.storage.pollStates.list();
    const forge = new Set(
      config.repositories.filter((r) => r.provider !== 'git').map((r) => r.name),
    );
    const configured = new Set(config.repositories.map((r) => r.name));
    const current = polls.filter((p) => configured.has(p.repository));
    const reload = ctx.reloadState();
    const oldest = await ctx.storage.deliveries.oldestPendingAge(now);
    const total = await ctx.storage.events.count();
    const byStatus = await ctx.storage.deliveries.countByStatus();
    res.json({
      name: config.app.name,
      version: VERSION,
      startedAt: ctx.startedAt.toISOString(),
      uptimeSeconds: Math.floor((now - ctx.startedAt.getTime()) / 1000),
      ready: ctx.isReady(),
      health: healthView(ctx.health()),
      repositories: {
        configured: config.repositories.length,
        failing: current.filter((p) => p.lastErrorCode !== null).length,
        usingFallback: current.filter((p) => forge.has(p.repository) && p.lastVia === 'ls-remote')
          .length,
      },
      events: { total },
      deliveries: {
        byStatus,
        oldestPendingAgeSeconds: oldest === undefined ? null : oldest / 1000,
      },
      config: {
        file: config.source.file ?? null,
        generation: reload?.generation ?? 1,
        lastReloadAt: reload?.lastReloadAt?.toISOString() ?? null,
        lastReloadError: reload?.lastError
          ? { at: reload.lastError.at.toISOString(), problems: [...reload.lastError.problems] }
          : null,
      },
      rateLimits: ctx.rateLimits().map(rateLimitView),
      discovery: ctx.discovery?.().map(discoveryView) ?? [],
      quota: (ctx.quota?.() ?? []).map((forecast) => ({
        ...forecast,
        minute: { ...forecast.minute },
        hour: { ...forecast.hour },
      })),
    } satisfies Status);
  });
}

/** An entry as shown: the host URL without credentials, messages as stored (they name no secret). */
function discoveryView(entry: DiscoveryEntryFacts): DiscoveryEntry {
  return {
    ...entry,
    url: urlWithoutCredentials(entry.url),
    overlaps: entry.overlaps.map((overlap) => ({ ...overlap })),
    rejected: entry.rejected.map((r) => ({ path: r.path, problems: [...r.problems] })),
  };
}
