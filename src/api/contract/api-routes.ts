import {
  EVENT_LIST_ROUTE,
  EVENT_ROUTE,
  EVENT_STREAM_ROUTE,
  REDELIVER_ROUTE,
} from './event-contracts.js';
import {
  HEALTHZ_ROUTE,
  HEALTH_ROUTE,
  METRICS_ROUTE,
  OPENAPI_ROUTE,
  READYZ_ROUTE,
  STATUS_ROUTE,
  VERSION_ROUTE,
} from './health-contracts.js';
import { REPLICA_LIST_ROUTE } from './replica-contracts.js';
import { POLL_ROUTE, REPOSITORY_LIST_ROUTE, REPOSITORY_ROUTE } from './repository-contracts.js';
import type { RouteContract } from './route-contract.js';

/** Every route of the API, in the order of the OpenAPI document. */
export const API_ROUTES: readonly RouteContract[] = [
  HEALTHZ_ROUTE,
  READYZ_ROUTE,
  HEALTH_ROUTE,
  VERSION_ROUTE,
  METRICS_ROUTE,
  OPENAPI_ROUTE,
  STATUS_ROUTE,
  REPLICA_LIST_ROUTE,
  REPOSITORY_LIST_ROUTE,
  REPOSITORY_ROUTE,
  POLL_ROUTE,
  EVENT_LIST_ROUTE,
  EVENT_STREAM_ROUTE,
  EVENT_ROUTE,
  REDELIVER_ROUTE,
];
