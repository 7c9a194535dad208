import type { Provider, ResolvedPayloadFormat } from '../config/config-types.js';

/** A point in time as stored: integer milliseconds since the Unix epoch. */
export type EpochMs = number;

/** What storage needs to know of a configured repository; a `RepositoryConfig` satisfies it. */
export interface RepositoryIdentity {
  readonly name: string;
  readonly provider: Provider;
  readonly url: string;
}

/** Where and how one event is delivered. */
export interface DeliveryTarget {
  readonly url: string;
  readonly format: ResolvedPayloadFormat;
}

export const DELIVERY_STATUSES = ['pending', 'in_flight', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How a poll listed the refs: the provider API or the `git ls-remote` fallback. */
export const POLL_VIAS = ['api', 'ls-remote'] as const;
export type PollVia = (typeof POLL_VIAS)[number];
