/** What one retention pass deleted. */
export interface PruneCounts {
  readonly events: number;
  readonly deliveries: number;
  readonly attempts: number;
}

export const NOTHING_PRUNED: PruneCounts = { events: 0, deliveries: 0, attempts: 0 };

export function addPruneCounts(a: PruneCounts, b: PruneCounts): PruneCounts {
  return {
    events: a.events + b.events,
    deliveries: a.deliveries + b.deliveries,
    attempts: a.attempts + b.attempts,
  };
}
