import type { DiscoveryListRecord } from './discovery-list-record.js';

/** A discovery_lists row as both engines read it (times as numbers). */
export interface DiscoveryListRow {
  readonly entry: string;
  readonly source_key: string;
  readonly repositories: unknown;
  readonly read_at: number | null;
  readonly failure_code: string | null;
  readonly failure_message: string | null;
  readonly failed_at: number | null;
  readonly failures: number;
  readonly generation: number;
}

/** The record of a row, with its repositories already parsed. */
export function discoveryListOf(
  row: DiscoveryListRow,
  repositories: readonly unknown[],
): DiscoveryListRecord {
  return {
    entry: row.entry,
    sourceKey: row.source_key,
    repositories,
    ...(row.read_at === null ? {} : { readAt: row.read_at }),
    ...(row.failure_code === null || row.failed_at === null
      ? {}
      : {
          failure: {
            code: row.failure_code,
            message: row.failure_message ?? '',
            at: row.failed_at,
            count: row.failures,
          },
        }),
    generation: row.generation,
  };
}
