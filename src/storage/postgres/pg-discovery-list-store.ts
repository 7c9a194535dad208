import type { DiscoveryListRecord, DiscoveryListWrite } from '../discovery-list-record.js';
import { discoveryListOf, type DiscoveryListRow } from '../discovery-list-row.js';
import type { PgDatabase } from './pg-database.js';

/** The discovery_lists table (see DiscoveryListRecord); writes compare the generation read. */
export class PgDiscoveryListStore {
  constructor(private readonly db: PgDatabase) {}

  async list(): Promise<DiscoveryListRecord[]> {
    const rows = await this.db.rows<DiscoveryListRow>(
      'SELECT * FROM discovery_lists ORDER BY entry',
    );
    return rows.map((row) =>
      discoveryListOf(row, Array.isArray(row.repositories) ? (row.repositories as unknown[]) : []),
    );
  }

  async save(list: DiscoveryListWrite, generation: number | undefined): Promise<boolean> {
    const values = [
      list.entry,
      list.sourceKey,
      JSON.stringify(list.repositories),
      list.readAt ?? null,
      list.failure?.code ?? null,
      list.failure?.message ?? null,
      list.failure?.at ?? null,
      list.failure?.count ?? 0,
    ];
    if (generation === undefined) {
      const inserted = await this.db.run(
        `INSERT INTO discovery_lists (entry, source_key, repositories, read_at, failure_code,
           failure_message, failed_at, failures, generation)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, 1) ON CONFLICT (entry) DO NOTHING`,
        values,
      );
      return inserted === 1;
    }
    const updated = await this.db.run(
      `UPDATE discovery_lists SET source_key = $2, repositories = $3::jsonb, read_at = $4,
         failure_code = $5, failure_message = $6, failed_at = $7, failures = $8,
         generation = generation + 1
         WHERE entry = $1 AND generation = $9`,
      [...values, generation],
    );
    return updated === 1;
  }

  async retain(entries: readonly string[]): Promise<DiscoveryListRecord[]> {
    const gone = (await this.list()).filter((list) => !entries.includes(list.entry));
    for (const list of gone) {
      await this.db.run('DELETE FROM discovery_lists WHERE entry = $1 AND generation = $2', [
        list.entry,
        list.generation,
      ]);
    }
    return gone;
  }
}
