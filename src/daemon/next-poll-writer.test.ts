import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { REPO, useTempStorage } from '../../test/storage/storage-fixtures.js';
import { NextPollWriter } from './next-poll-writer.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('NextPollWriter', () => {
  const names = ['app-1', 'app-2', 'app-3'];
  const temp = useTempStorage({ busyTimeoutMs: 50 }, (storage) => {
    for (const name of names) {
      storage.sync.repositories.track({ ...REPO, name });
      storage.sync.recordPoll({
        repository: { ...REPO, name },
        refs: { upsert: [], remove: [] },
        events: [],
        targets: [],
        pollState: {
          polledAt: 1_000,
          nextPollAt: 2_000,
          via: 'api',
          baselined: { branch: true, tag: false, pull: false },
        },
      });
    }
  });

  const nextPollAt = async (name: string): Promise<number | null | undefined> =>
    (await temp.storage.pollStates.get(name))?.nextPollAt;

  it('writes every time decided in one turn together on the next, the latest per repository', async () => {
    const writer = new NextPollWriter(temp.storage, createCaptureLogger().log);
    writer.set('app-1', 5_000);
    writer.set('app-2', 6_000);
    writer.set('app-1', 7_000);
    expect(await nextPollAt('app-1')).toBe(2_000);
    await nextTurn();
    expect(await Promise.all(names.map(nextPollAt))).toEqual([7_000, 6_000, 2_000]);
  });

  it('logs a busy database once per batch and writes the times with the next one', async () => {
    const capture = createCaptureLogger();
    const writer = new NextPollWriter(temp.storage, capture.log);
    const other = new Database(temp.file);
    other.exec('BEGIN IMMEDIATE');
    writer.set('app-1', 5_000);
    writer.set('app-2', 6_000);
    await nextTurn();
    const warnings = capture.entries().filter((e) => e.level === 'warn');
    expect(warnings).toMatchObject([
      { message: 'Could not record next poll times', repositories: 2, code: 'storage-busy' },
    ]);
    other.exec('ROLLBACK');
    other.close();
    writer.set('app-2', 8_000);
    await nextTurn();
    expect(await Promise.all(names.map(nextPollAt))).toEqual([5_000, 8_000, 2_000]);
  });

  it('answers setAndWait once the batch carrying the time is committed, and rejects when it fails', async () => {
    const writer = new NextPollWriter(temp.storage, createCaptureLogger().log);
    writer.set('app-2', 6_000);
    await writer.setAndWait('app-1', 5_000);
    expect(await Promise.all(names.map(nextPollAt))).toEqual([5_000, 6_000, 2_000]);

    const other = new Database(temp.file);
    other.exec('BEGIN IMMEDIATE');
    await expect(writer.setAndWait('app-3', 9_000)).rejects.toMatchObject({
      code: 'storage-busy',
    });
    other.exec('ROLLBACK');
    other.close();
    await writer.setAndWait('app-1', 10_000);
    expect(await Promise.all(names.map(nextPollAt))).toEqual([10_000, 6_000, 9_000]);
  });

  it('writes nothing once storage is closed', async () => {
    const capture = createCaptureLogger();
    const writer = new NextPollWriter(temp.storage, capture.log);
    writer.set('app-1', 5_000);
    temp.storage.close();
    await nextTurn();
    expect(capture.entries()).toEqual([]);
    temp.reopen();
    expect(await nextPollAt('app-1')).toBe(2_000);
  });
  it('answers setAndWait only with the batch carrying its own time, not one written meanwhile', async () => {
    const committed: Map<string, number>[] = [];
    const gates: (() => void)[] = [];
    const storage = {
      isOpen: true,
      pollStates: {
        setNextPollAts: (batch: Map<string, number>) =>
          new Promise<void>((resolve) => {
            gates.push(() => {
              committed.push(new Map(batch));
              resolve();
            });
          }),
      },
    };
    const writer = new NextPollWriter(storage as never, createCaptureLogger().log);
    writer.set('app', 1_000); // onScheduled after the last poll: batch 1 goes out
    await nextTurn();
    expect(gates).toHaveLength(1); // batch 1 {app: 1000} is being written
    let resolved = false;
    const wait = writer.setAndWait('app', 2_000).then(() => {
      resolved = true;
    });
    await nextTurn();
    gates[0]!(); // batch 1 commits: it carries 1000, not 2000
    await nextTurn();
    await nextTurn();
    const committedApp = committed.map((b) => b.get('app'));
    // setAndWait(2000) must not be answered by the batch that carried 1000.
    expect({ resolved, committedApp }).toEqual({ resolved: false, committedApp: [1_000] });
    gates[1]?.();
    await wait;
  });
});
