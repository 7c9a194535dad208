import type { Migration } from './migration.js';

/**
 * Version 3: transition numbers. Every (repository, ref) counts its recorded transitions in
 * `ref_transitions`, a table without a foreign key so the count outlives the ref's deletion and
 * the repository's removal from the config; each event keeps its number. The event id is derived
 * from it, so a transition that happens again (A->B->A->B, a tag re-pushed) is a new event.
 *
 * Existing events are numbered in the order they were recorded and each counter starts at its
 * ref's count. Their ids stay as they were (already delivered under them); nothing is re-fired,
 * because the ref state is untouched and no new id can equal an old one.
 */
export const transitionNumbers: Migration = {
  version: 3,
  name: 'transition-numbers',
  up(db) {
    db.exec(`
      ALTER TABLE events ADD COLUMN transition_number INTEGER NOT NULL DEFAULT 0;
      WITH numbered AS (
        SELECT seq, row_number() OVER (PARTITION BY repository, ref ORDER BY seq) AS n FROM events
      )
      UPDATE events SET transition_number = numbered.n FROM numbered
        WHERE numbered.seq = events.seq;

      CREATE TABLE ref_transitions (
        repository TEXT NOT NULL,
        ref TEXT NOT NULL,
        last_number INTEGER NOT NULL CHECK (last_number >= 1),
        PRIMARY KEY (repository, ref)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO ref_transitions (repository, ref, last_number)
        SELECT repository, ref, max(transition_number) FROM events GROUP BY repository, ref;
    `);
  },
};
