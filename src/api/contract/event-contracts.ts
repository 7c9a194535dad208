import { DeliveryChangeSchema, RedeliveredSchema } from '../schemas/delivery-schemas.js';
import {
  EventDetailSchema,
  EventListQuerySchema,
  EventPageSchema,
  EventParamsSchema,
  EventSchema,
  EventStreamHeadersSchema,
} from '../schemas/event-schemas.js';
import { NOT_FOUND, NO_QUERY, defineRoute, json, problem } from './route-contract.js';

export const EVENT_LIST_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/events',
  summary: 'Detected events, newest first, cursor-paginated.',
  tag: 'events',
  query: EventListQuerySchema,
  responses: { 200: json(EventPageSchema, 'One page of events.') },
});

export const EVENT_STREAM_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/events/stream',
  summary: 'Server-Sent Events: `change` per new event, `delivery` per delivery state change.',
  description:
    'Each `change` message carries an event (as in /api/v1/events, schema `Event`) and its `seq` as the SSE id. Reconnect with `Last-Event-ID` to receive the events recorded since; `delivery` messages (schema `DeliveryChange`) are live only (the event detail has the full record). A comment line is sent as keep-alive. `x-sse-messages` names the schema of each message type.',
  tag: 'events',
  query: NO_QUERY,
  headers: EventStreamHeadersSchema,
  responses: {
    200: { description: 'An endless text/event-stream.', mediaType: 'text/event-stream' },
  },
  messages: { change: EventSchema, delivery: DeliveryChangeSchema },
});

export const EVENT_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/events/{id}',
  summary: 'One event with every delivery and every attempt.',
  tag: 'events',
  params: EventParamsSchema,
  query: NO_QUERY,
  responses: { 200: json(EventDetailSchema, 'The event.'), 404: NOT_FOUND },
});

export const REDELIVER_ROUTE = defineRoute({
  method: 'post',
  path: '/api/v1/events/{id}/redeliver',
  summary: 'Queue every delivery of the event again (same bytes, new attempt numbers).',
  tag: 'events',
  mutation: true,
  params: EventParamsSchema,
  query: NO_QUERY,
  responses: {
    202: json(RedeliveredSchema, 'Queued.'),
    404: NOT_FOUND,
    409: problem('A delivery of this event is still pending or in flight.'),
  },
});
