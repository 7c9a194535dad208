import type { Config } from '../config/config-types.js';
import type { Component } from '../runtime/component.js';
import { isReconfigurable, type Reconfigurable } from '../runtime/component.js';

/**
 * `component` as the runtime sees it (same name, start, health and config updates), followed at
 * stop by `release`: what only it used (its connections) is closed once it has stopped, even when
 * its stop failed.
 */
export function releaseAfterStop(component: Component, release: () => void): Component {
  const wrapped: Component = {
    name: component.name,
    start: () => component.start(),
    stop: async (signal) => {
      try {
        await component.stop(signal);
      } finally {
        release();
      }
    },
    health: () => component.health(),
  };
  if (!isReconfigurable<Config>(component)) return wrapped;
  const reconfigurable: Component & Reconfigurable<Config> = {
    ...wrapped,
    applyConfig: (config: Config) => component.applyConfig(config),
  };
  return reconfigurable;
}
