import { z } from 'zod';
import { PAYLOAD_FORMATS } from '../../config/config-types.js';
import { DELIVERY_STATUSES } from '../../storage/storage-types.js';
import { displayUrl, timestamp } from './field-schemas.js';

export const DeliveryCountsSchema = z
  .strictObject({
    pending: z.number().int(),
    in_flight: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
  } satisfies Record<(typeof DELIVERY_STATUSES)[number], z.ZodNumber>)
  .meta({ id: 'DeliveryCounts', description: 'How many deliveries are in each status.' });
export type DeliveryCounts = z.infer<typeof DeliveryCountsSchema>;

export const DeliveryAttemptSchema = z
  .strictObject({
    attempt: z
      .number()
      .int()
      .meta({ description: 'X-RepoSentry-Delivery-Attempt of this attempt.' }),
    at: timestamp('When it was sent.'),
    statusCode: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'HTTP status; null when no response arrived.' }),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: 'DeliveryAttempt' });
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>;

export const DeliverySchema = z
  .strictObject({
    id: z.number().int(),
    targetUrl: displayUrl(),
    format: z.enum(PAYLOAD_FORMATS).exclude(['auto']),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().meta({ description: 'Attempts ever made.' }),
    nextAttemptAt: timestamp('When a pending delivery is due; null unless pending.').nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: timestamp('When the delivery was queued first.'),
    deliveredAt: timestamp('When it was delivered.').nullable(),
    attemptLog: z
      .array(DeliveryAttemptSchema)
      .meta({ description: 'Every attempt, oldest first.' }),
  })
  .meta({
    id: 'Delivery',
    description: 'A delivery of an event to an EventListener, without its payload or headers.',
  });
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryChangeSchema = z
  .strictObject({
    deliveryId: z.number().int(),
    eventId: z.string(),
    repository: z.string(),
    targetUrl: displayUrl(),
    status: z.enum(DELIVERY_STATUSES),
    attempt: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The attempt that finished; null when the change is a redelivery.' }),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int().nullable(),
    error: z.string().nullable(),
    at: timestamp('When the delivery changed state.'),
  })
  .meta({
    id: 'DeliveryChange',
    description: 'The data of a `delivery` message of /api/v1/events/stream.',
  });
export type DeliveryChange = z.infer<typeof DeliveryChangeSchema>;

export const RedeliveredSchema = z
  .strictObject({
    event: z.string().meta({ description: 'The event id.' }),
    deliveries: z.array(DeliverySchema),
  })
  .meta({ id: 'Redelivered' });
export type Redelivered = z.infer<typeof RedeliveredSchema>;
