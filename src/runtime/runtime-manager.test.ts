import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import type { Config } from '../config/config-types.js';
import type { Component, ComponentHealth } from './component.js';
import { installSignalHandlers } from './install-signal-handlers.js';
import { RuntimeManager } from './runtime-manager.js';

class Recorder implements Component {
  status: ComponentHealth['status'] = 'healthy';
  constructor(
    readonly name: string,
    private readonly journal: string[],
    private readonly behaviour: { failStart?: boolean; hangStop?: boolean } = {},
  ) {}
  start(): Promise<void> {
    this.journal.push(`start ${this.name}`);
    return this.behaviour.failStart
      ? Promise.reject(new Error(`${this.name} cannot start`))
      : Promise.resolve();
  }
  stop(signal: AbortSignal): Promise<void> {
    this.journal.push(`stop ${this.name}`);
    if (!this.behaviour.hangStop) return Promise.resolve();
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        this.journal.push(`abort ${this.name}`);
        resolve();
      });
    });
  }
  health(): ComponentHealth {
    return { status: this.status };
  }
}

describe('RuntimeManager', () => {
  it('starts components in order and stops them in reverse, the first (storage) last', async () => {
    const journal: string[] = [];
    const { log } = createCaptureLogger();
    const runtime = new RuntimeManager(
      [
        new Recorder('storage', journal),
        new Recorder('poller', journal),
        new Recorder('api', journal),
      ],
      log,
    );
    expect(runtime.isReady()).toBe(false);
    await runtime.start();
    expect(runtime.isReady()).toBe(true);
    await runtime.stop(1_000);
    expect(journal).toEqual([
      'start storage',
      'start poller',
      'start api',
      'stop api',
      'stop poller',
      'stop storage',
    ]);
    expect(runtime.phase).toBe('stopped');
  });

  it('stops what already started when a later component fails to start', async () => {
    const journal: string[] = [];
    const captured = createCaptureLogger();
    const runtime = new RuntimeManager(
      [
        new Recorder('storage', journal),
        new Recorder('poller', journal, { failStart: true }),
        new Recorder('api', journal),
      ],
      captured.log,
    );
    await expect(runtime.start()).rejects.toThrow('poller cannot start');
    expect(journal).toEqual(['start storage', 'start poller', 'stop storage']);
    expect(runtime.health().status).toBe('unhealthy');
    expect(
      captured
        .entries()
        .some((e) => e.message === 'Component failed to start' && e.component === 'poller'),
    ).toBe(true);
  });

  it('aborts a component that overruns the deadline and still closes the database last', async () => {
    const journal: string[] = [];
    const { log } = createCaptureLogger();
    const runtime = new RuntimeManager(
      [new Recorder('storage', journal), new Recorder('trigger', journal, { hangStop: true })],
      log,
    );
    await runtime.start();
    await runtime.stop(50);
    expect(journal.slice(2)).toEqual(['stop trigger', 'abort trigger', 'stop storage']);
  });

  it('reports the worst component health while running', async () => {
    const journal: string[] = [];
    const { log } = createCaptureLogger();
    const poller = new Recorder('poller', journal);
    const runtime = new RuntimeManager([new Recorder('storage', journal), poller], log);
    expect(runtime.health().status).toBe('starting');
    await runtime.start();
    expect(runtime.health().status).toBe('healthy');
    poller.status = 'degraded';
    expect(runtime.health()).toMatchObject({
      status: 'degraded',
      components: { poller: { status: 'degraded' } },
    });
    await runtime.stop(100);
    expect(runtime.health().status).toBe('stopped');
  });

  it('hands a new config to reconfigurable components only', async () => {
    const journal: string[] = [];
    const { log } = createCaptureLogger();
    const applied: Config[] = [];
    const reconfigurable = Object.assign(new Recorder('poller', journal), {
      applyConfig: (config: Config) => {
        applied.push(config);
      },
    });
    const runtime = new RuntimeManager([new Recorder('storage', journal), reconfigurable], log);
    await runtime.start();
    const config = { repositories: [] } as unknown as Config;
    await runtime.applyConfig(config);
    expect(applied).toEqual([config]);
  });
});

describe('installSignalHandlers', () => {
  it('shuts down once on SIGTERM, reloads on SIGHUP and exits 1 on an unhandled rejection', () => {
    const target = new EventEmitter();
    const captured = createCaptureLogger();
    const reasons: string[] = [];
    let reloads = 0;
    const previousExitCode = process.exitCode;
    const uninstall = installSignalHandlers({
      log: captured.log,
      target,
      shutdown: (reason) => {
        reasons.push(reason);
        return Promise.resolve();
      },
      reload: () => {
        reloads += 1;
      },
    });
    target.emit('SIGHUP');
    target.emit('SIGTERM');
    target.emit('SIGINT');
    expect(reloads).toBe(1);
    expect(reasons).toEqual(['SIGTERM']);
    target.emit('unhandledRejection', new Error('boom'));
    expect(process.exitCode).toBe(1);
    expect(captured.entries().some((e) => e.message === 'Fatal error, shutting down')).toBe(true);
    uninstall();
    expect(target.listenerCount('SIGTERM')).toBe(0);
    process.exitCode = previousExitCode;
  });
});
