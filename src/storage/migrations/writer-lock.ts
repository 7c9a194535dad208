import type { Migration } from './migration.js';

/**
 * Version 4: who holds the writer lock of this file (see `WriterLock`): one row, written by the
 * daemon that took the lock, so a second one that is refused can name the holder. The lock itself
 * is an operating-system lock that dies with its process; this row is only its label.
 */
export const writerLock: Migration = {
  version: 4,
  name: 'writer-lock',
  up(db) {
    db.exec(`
      CREATE TABLE writer_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        command TEXT NOT NULL,
        acquired_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
