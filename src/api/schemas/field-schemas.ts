import { z } from 'zod';

/** Fields that many answers share. */

/** A point in time, as `Date.toISOString()` writes it. */
export function timestamp(description: string) {
  return z.iso.datetime().meta({ description });
}

/** A URL shown by the API: always through urlWithoutCredentials (views/). */
export function displayUrl() {
  return z.string().meta({ description: 'Credentials in the URL are shown as [REDACTED].' });
}
