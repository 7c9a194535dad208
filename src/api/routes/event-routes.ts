import type { Router } from 'express';
import { ReposentryError } from '../../errors/reposentry-error.js';
import { EVENT_TYPES } from '../../events/change-event.js';
import { MAX_EVENT_PAGE_SIZE } from '../../storage/event-store.js';
import { DELIVERY_STATUSES } from '../../storage/storage-types.js';
import type { ApiContext } from '../api-context.js';
import { EVENT_ID_PATTERN, QueryReader, pathParam } from '../query-params.js';
import { requireToken } from '../require-token.js';
import { deliveryView, eventListItemView, eventView } from '../views/event-view.js';

const DEFAULT_PAGE_SIZE = 50;
const LIST_PARAMS = ['repository', 'ref', 'type', 'status', 'since', 'limit', 'cursor'] as const;

/** /api/v1/events[/{id}[/redeliver]]: the record of every detected change and its deliveries. */
export function mountEventRoutes(router: Router, ctx: ApiContext): void {
  const eventId = (raw: unknown): string => pathParam(raw, 'id', 36, EVENT_ID_PATTERN);

  router.get('/api/v1/events', (req, res) => {
    const query = new QueryReader(req.query, LIST_PARAMS);
    const ref = query.string('ref', 1024);
    if (ref !== undefined && !ref.startsWith('refs/'))
      throw new ReposentryError(
        'bad-request',
        'ref: give the full ref name, e.g. refs/heads/main or refs/tags/v1.0',
      );
    const page = ctx.storage.events.list({
      repository: query.string('repository', 200),
      ref,
      type: query.oneOf('type', EVENT_TYPES),
      status: query.oneOf('status', DELIVERY_STATUSES),
      since: query.dateTime('since'),
      limit: query.integer('limit', 1, MAX_EVENT_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
      cursor: query.string('cursor', 100),
    });
    res.json({
      events: page.events.map(eventListItemView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  router.get('/api/v1/events/:id', (req, res) => {
    new QueryReader(req.query, []);
    const id = eventId(req.params.id);
    const event = ctx.storage.events.get(id);
    if (event === undefined) throw new ReposentryError('not-found', `No event ${id}`);
    res.json({
      ...eventView(event),
      deliveries: ctx.storage.deliveries.listForEvent(id).map(deliveryView),
    });
  });

  router.post(
    '/api/v1/events/:id/redeliver',
    requireToken(() => ctx.config().api.authToken),
    (req, res) => {
      new QueryReader(req.query, []);
      const id = eventId(req.params.id);
      const deliveries = ctx.redeliver(id);
      res.status(202).json({ event: id, deliveries: deliveries.map(deliveryView) });
    },
  );
}
