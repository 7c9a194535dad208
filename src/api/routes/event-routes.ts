import type { Router } from 'express';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { ApiContext } from '../api-context.js';
import { EVENT_LIST_ROUTE, EVENT_ROUTE, REDELIVER_ROUTE } from '../contract/event-contracts.js';
import { mountRoute } from '../mount-route.js';
import type { Redelivered } from '../schemas/delivery-schemas.js';
import type { EventDetail, EventPage } from '../schemas/event-schemas.js';
import { deliveryView } from '../views/delivery-view.js';
import { eventListItemView, eventView } from '../views/event-view.js';

/** /api/v1/events[/{id}[/redeliver]]: the record of every detected change and its deliveries. */
export function mountEventRoutes(router: Router, ctx: ApiContext): void {
  mountRoute(router, ctx, EVENT_LIST_ROUTE, async ({ query }, _req, res) => {
    const page = await ctx.storage.events.list(query);
    res.json({
      events: page.events.map(eventListItemView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    } satisfies EventPage);
  });

  mountRoute(router, ctx, EVENT_ROUTE, async ({ params: { id } }, _req, res) => {
    const event = await ctx.storage.events.get(id);
    if (event === undefined) throw new ReposentryError('not-found', `No event ${id}`);
    const deliveries = await ctx.storage.deliveries.listForEvent(id);
    res.json({
      ...eventView(event),
      deliveries: deliveries.map(deliveryView),
    } satisfies EventDetail);
  });

  mountRoute(router, ctx, REDELIVER_ROUTE, async ({ params: { id } }, _req, res) => {
    const deliveries = await ctx.redeliver(id);
    res
      .status(202)
      .json({ event: id, deliveries: deliveries.map(deliveryView) } satisfies Redelivered);
  });
}
