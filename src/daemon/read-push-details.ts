import type { Config } from '../config/config-types.js';
import { refKindOf } from '../events/change-event.js';
import type { GitClientSet } from '../gitclient/index.js';
import type { ReadPushDetails } from '../trigger/deliver-once.js';

/**
 * How a delivery asks the Git host for a change's details: through the running config's client
 * of the event's repository (the same quota and ETag cache as its polls). Nothing is asked for a
 * repository no longer configured at that url, nor for a plain git remote (no API).
 */
export function readPushDetailsThrough(
  config: () => Config,
  clients: () => GitClientSet,
): ReadPushDetails {
  return async (event, options) => {
    if (refKindOf(event.ref) === undefined) return undefined;
    const repo = config().repositories.find(
      (r) => r.name === event.repository.name && r.url === event.repository.url,
    );
    if (repo === undefined || repo.provider === 'git') return undefined;
    return clients().pushDetails(
      repo,
      { ref: event.ref, before: event.before, after: event.after },
      options,
    );
  };
}
