import { describe, expect, it } from 'vitest';
import type { Config } from '../config/config-types.js';
import type { Component } from '../runtime/component.js';
import { isReconfigurable } from '../runtime/component.js';
import { releaseAfterStop } from './release-after-stop.js';

function component(steps: string[], stop: () => Promise<void> = () => Promise.resolve()) {
  return {
    name: 'trigger',
    start: () => {
      steps.push('start');
      return Promise.resolve();
    },
    stop: async () => {
      await stop();
      steps.push('stopped');
    },
    health: () => ({ status: 'healthy' as const, details: { inFlight: 0 } }),
  } satisfies Component;
}

describe('releaseAfterStop', () => {
  it('is the component to the runtime, and releases only once it has stopped', async () => {
    const steps: string[] = [];
    const slowStop = () => new Promise<void>((resolve) => setTimeout(resolve, 20));
    const wrapped = releaseAfterStop(component(steps, slowStop), () => steps.push('released'));
    expect(wrapped.name).toBe('trigger');
    expect(wrapped.health()).toEqual({ status: 'healthy', details: { inFlight: 0 } });
    await wrapped.start();
    await wrapped.stop(new AbortController().signal);
    expect(steps).toEqual(['start', 'stopped', 'released']);
  });

  it('releases even when the stop fails', async () => {
    const steps: string[] = [];
    const failing = () => Promise.reject(new Error('stuck'));
    const wrapped = releaseAfterStop(component(steps, failing), () => steps.push('released'));
    await expect(wrapped.stop(new AbortController().signal)).rejects.toThrow('stuck');
    expect(steps).toEqual(['released']);
  });

  it('passes config updates on to a reconfigurable component, and only to one', async () => {
    const applied: Config[] = [];
    const reconfigurable = {
      ...component([]),
      applyConfig: (config: Config) => {
        applied.push(config);
      },
    };
    const wrapped = releaseAfterStop(reconfigurable, () => undefined);
    expect(isReconfigurable<Config>(wrapped)).toBe(true);
    const config = {} as Config;
    if (isReconfigurable<Config>(wrapped)) await wrapped.applyConfig(config);
    expect(applied).toEqual([config]);
    expect(isReconfigurable<Config>(releaseAfterStop(component([]), () => undefined))).toBe(false);
  });
});
