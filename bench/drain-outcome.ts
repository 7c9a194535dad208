/**
 * What a drain scenario delivered: every event exactly once, every request signed, every
 * delivery marked delivered in the database afterwards.
 */
import type { BenchContext } from './bench-context.js';
import type { BenchReceiver } from './bench-receiver.js';
import { exactly, formatNumber } from './bench-report.js';

export function reportDrainOutcome(
  ctx: BenchContext,
  drain: {
    scenario: string;
    key: (name: string) => string;
    receiver: BenchReceiver;
    /** The backlog's deliveries. */
    total: number;
    /** Deliveries marked delivered in the database after the daemons stopped. */
    delivered: number;
  },
): void {
  const { report } = ctx;
  const { scenario, key, receiver, total, delivered } = drain;
  report.add({
    key: key('duplicates'),
    scenario,
    label: 'events delivered more than once',
    value: receiver.duplicates().length,
    unit: 'events',
    target: exactly(0, 'events'),
  });
  report.add({
    key: key('requests'),
    scenario,
    label: 'requests received / distinct events',
    value: receiver.requests(),
    unit: 'requests',
    display: `${formatNumber(receiver.requests())} / ${formatNumber(receiver.arrivals().length)}`,
  });
  report.add({
    key: key('bad_signatures'),
    scenario,
    label: 'requests whose X-Hub-Signature-256 did not verify',
    value: receiver.badSignatures(),
    unit: 'requests',
  });
  report.add({
    key: key('delivered_in_database'),
    scenario,
    label: 'deliveries marked delivered in the database afterwards',
    value: delivered,
    unit: `of ${formatNumber(total)}`,
  });
}
