import { z } from 'zod';
import {
  AliveSchema,
  HealthSchema,
  ReadySchema,
  VersionSchema,
} from '../schemas/health-schemas.js';
import { StatusSchema } from '../schemas/status-schemas.js';
import { defineRoute, json, problem } from './route-contract.js';

/**
 * How the daemon is doing: probes, version, metrics, this document and the status page. None
 * takes a parameter; their query strings are ignored.
 */

export const HEALTHZ_ROUTE = defineRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers.',
  tag: 'health',
  responses: { 200: json(AliveSchema, 'Alive.') },
});

export const READYZ_ROUTE = defineRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: storage open and every component running.',
  tag: 'health',
  responses: { 200: json(ReadySchema, 'Ready.'), 503: problem('Starting or stopping.') },
});

export const HEALTH_ROUTE = defineRoute({
  method: 'get',
  path: '/health',
  summary:
    'Per-component health; 503 when unhealthy. Never calls the Git host or the EventListener.',
  tag: 'health',
  responses: {
    200: json(HealthSchema, 'Healthy or degraded.'),
    503: json(HealthSchema, 'Unhealthy.'),
  },
});

export const VERSION_ROUTE = defineRoute({
  method: 'get',
  path: '/version',
  summary: 'Version of the daemon.',
  tag: 'health',
  responses: { 200: json(VersionSchema, 'Version.') },
});

export const METRICS_ROUTE = defineRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics.',
  tag: 'health',
  responses: {
    200: { description: 'Prometheus text exposition format.', mediaType: 'text/plain' },
  },
});

export const OPENAPI_ROUTE = defineRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This document.',
  tag: 'docs',
  responses: { 200: json(z.record(z.string(), z.unknown()), 'OpenAPI 3 document.') },
});

export const STATUS_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/status',
  summary: 'Components, counts, config reload state and rate limits.',
  tag: 'status',
  responses: { 200: json(StatusSchema, 'Status.') },
});
