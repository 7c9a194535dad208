import type { Migration } from './migration.js';

/**
 * Version 7: when each repository was last active (a change recorded, or a poll asked for by
 * poll-now or a webhook), which adaptive polling stretches the interval from. NULL until the
 * next successful poll sets it.
 */
export const pollActivity: Migration = {
  version: 7,
  name: 'poll-activity',
  up(db) {
    db.exec('ALTER TABLE poll_state ADD COLUMN active_at INTEGER;');
  },
};
