import type { ComponentHealth as RuntimeComponentHealth } from '../../runtime/component.js';
import type { RuntimeHealth } from '../../runtime/runtime-manager.js';
import type { ComponentHealth, Health } from '../schemas/health-schemas.js';

function componentHealthView(health: RuntimeComponentHealth): ComponentHealth {
  return {
    status: health.status,
    ...(health.message === undefined ? {} : { message: health.message }),
    ...(health.details === undefined ? {} : { details: { ...health.details } }),
  };
}

/** The runtime's health as /health and /api/v1/status show it. */
export function healthView(health: RuntimeHealth): Health {
  return {
    status: health.status,
    phase: health.phase,
    components: Object.fromEntries(
      Object.entries(health.components).map(([name, component]) => [
        name,
        componentHealthView(component),
      ]),
    ),
  };
}
