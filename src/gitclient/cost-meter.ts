import type { RefCost } from './git-client.js';

/** Mutable counters of one listing, shared by the API attempt and the ls-remote fallback. */
export class CostMeter {
  requests = 0;
  quotaUnits = 0;
  notModified = 0;

  snapshot(): RefCost {
    return { requests: this.requests, quotaUnits: this.quotaUnits, notModified: this.notModified };
  }
}
