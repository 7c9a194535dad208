import { z } from 'zod';
import { DeliveryCountsSchema } from './delivery-schemas.js';
import { HealthSchema } from './health-schemas.js';
import { timestamp } from './field-schemas.js';

/** The fields of a RateLimit, for a nullable copy (see repository-schemas.ts). */
export const RATE_LIMIT_SHAPE = {
  provider: z.enum(['github', 'gitlab']),
  host: z.string().meta({ description: 'API host.' }),
  account: z.string().meta({
    description: 'Which token: `sha256:<8 hex>` of its hash, or `anonymous`. Never the token.',
  }),
  limit: z.number().int(),
  remaining: z.number().int(),
  resetAt: timestamp('When the quota resets.'),
  waitingUntil: timestamp('Present while polls wait for the reset.').optional(),
};

export const RateLimitSchema = z.strictObject(RATE_LIMIT_SHAPE).meta({
  id: 'RateLimit',
  description: 'The API quota of one token at one host, as last reported by the host.',
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

export const DiscoveryEntrySchema = z
  .strictObject({
    name: z.string().meta({ description: 'discovery[].name' }),
    provider: z.enum(['github', 'gitlab']),
    owner: z.string(),
    url: z.string().meta({ description: 'The host.' }),
    intervalMs: z.number().int(),
    state: z.enum(['pending', 'ok', 'failing']).meta({
      description:
        '`pending`: never read yet; `ok`: the last read completed; `failing`: the last read failed (the last good list is kept).',
    }),
    listed: z.number().int().meta({ description: 'Repositories in the stored list.' }),
    watched: z.number().int().meta({ description: 'Repositories it adds to the watched set.' }),
    filteredOut: z
      .number()
      .int()
      .meta({ description: 'Listed but left out by include, exclude, topics, archived or forks.' }),
    lastReadAt: timestamp('The last complete read.').optional(),
    nextReadAt: timestamp('The next read (only on the replica that reads).').optional(),
    lastError: z
      .strictObject({
        code: z.string(),
        message: z.string(),
        at: timestamp('When the read failed.'),
        failures: z.number().int().meta({ description: 'Failed reads in a row.' }),
      })
      .optional(),
    overlaps: z.array(
      z.strictObject({
        path: z.string(),
        watchedBy: z.string().meta({
          description: '`repositories` (listed by hand) or `discovery/<entry>` (an earlier entry).',
        }),
        reason: z.enum(['url', 'name']),
      }),
    ),
    rejected: z.array(z.strictObject({ path: z.string(), problems: z.array(z.string()) })),
  })
  .meta({
    id: 'DiscoveryEntry',
    description: 'One `discovery` entry: what its last read found and how it went.',
  });
export type DiscoveryEntry = z.infer<typeof DiscoveryEntrySchema>;

const windowForecast = (window: string, counted: string) =>
  z
    .strictObject({
      demand: z
        .number()
        .meta({ description: `${counted} per ${window} at the intervals before any stretch.` }),
      planned: z
        .number()
        .meta({ description: `${counted} per ${window} at the planned intervals.` }),
      budget: z
        .number()
        .nullable()
        .meta({ description: `What this daemon may spend per ${window}; null: no limit.` }),
    })
    .meta({ description: `The coming ${window}.` });

export const QuotaForecastSchema = z
  .strictObject({
    provider: z.enum(['github', 'gitlab']),
    host: z.string().meta({ description: 'API host.' }),
    account: z.string().meta({ description: 'Which token: `sha256:<8 hex>` or `anonymous`.' }),
    repositories: z.number().int().meta({ description: 'Repositories polled here with it.' }),
    minute: windowForecast('minute', 'Requests (304s included)'),
    hour: windowForecast('hour', 'Quota spent (304s excluded)'),
    stretched: z.number().int().meta({
      description: 'Repositories polled less often than their interval to stay within budget.',
    }),
    largestStretch: z
      .number()
      .meta({ description: 'The largest factor an interval is multiplied by.' }),
  })
  .meta({
    id: 'QuotaForecast',
    description:
      "One API account's forecast spend and how far the quota governor stretches its polls.",
  });
export type QuotaForecastView = z.infer<typeof QuotaForecastSchema>;

export const StatusSchema = z
  .strictObject({
    name: z.string().meta({ description: 'app.name' }),
    version: z.string(),
    startedAt: timestamp('When this process started.'),
    uptimeSeconds: z.number().int(),
    ready: z.boolean(),
    health: HealthSchema,
    repositories: z.strictObject({
      configured: z.number().int(),
      failing: z.number().int().meta({ description: 'Repositories whose last poll failed.' }),
      usingFallback: z
        .number()
        .int()
        .meta({ description: 'Forge repositories last polled through git ls-remote.' }),
    }),
    events: z.strictObject({ total: z.number().int() }),
    deliveries: z.strictObject({
      byStatus: DeliveryCountsSchema,
      oldestPendingAgeSeconds: z
        .number()
        .nullable()
        .meta({ description: 'Age of the oldest pending delivery; null when none is pending.' }),
    }),
    config: z.strictObject({
      file: z
        .string()
        .nullable()
        .meta({ description: 'The config file, or null for an embedded config (demo).' }),
      generation: z
        .number()
        .int()
        .meta({ description: '1 for the start-up config, +1 per applied reload.' }),
      lastReloadAt: timestamp('Last applied reload.').nullable(),
      lastReloadError: z
        .strictObject({
          at: timestamp('When the rejected reload happened.'),
          problems: z.array(z.string()),
        })
        .nullable()
        .meta({ description: 'The last rejected reload; null when none was rejected.' }),
    }),
    rateLimits: z.array(RateLimitSchema),
    discovery: z.array(DiscoveryEntrySchema),
    quota: z.array(QuotaForecastSchema),
  })
  .meta({ id: 'Status' });
export type Status = z.infer<typeof StatusSchema>;
