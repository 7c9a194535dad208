import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import {
  isReconfigurable,
  type Component,
  type ComponentHealth,
  type HealthState,
} from './component.js';

export const RUNTIME_PHASES = [
  'created',
  'starting',
  'running',
  'stopping',
  'stopped',
  'failed',
] as const;
export type RuntimePhase = (typeof RUNTIME_PHASES)[number];

export interface RuntimeHealth {
  readonly status: HealthState;
  readonly phase: RuntimePhase;
  readonly components: Readonly<Record<string, ComponentHealth>>;
}

/**
 * Starts components in the order given and stops them in reverse, so the database (first) closes
 * last. A failed start stops what already started and rethrows. Stop gives each component an
 * AbortSignal that fires at the shutdown deadline; a component that overruns it is logged and
 * left behind so the others (and the database) still get their turn.
 */
export class RuntimeManager<Snapshot = unknown> {
  private phaseValue: RuntimePhase = 'created';
  private readonly started: Component[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly components: readonly Component[],
    private readonly log: Logger,
  ) {}

  get phase(): RuntimePhase {
    return this.phaseValue;
  }

  /** True once every component has started and shutdown has not begun. */
  isReady(): boolean {
    return this.phaseValue === 'running';
  }

  async start(): Promise<void> {
    if (this.phaseValue !== 'created')
      throw new Error(`Runtime cannot start from ${this.phaseValue}`);
    this.phaseValue = 'starting';
    for (const component of this.components) {
      const startedAt = Date.now();
      try {
        await component.start();
      } catch (err) {
        this.log.error('Component failed to start', {
          component: component.name,
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
        this.phaseValue = 'failed';
        await this.stopStarted(5_000);
        this.phaseValue = 'failed';
        throw err;
      }
      this.started.push(component);
      this.log.debug('Component started', {
        component: component.name,
        durationMs: Date.now() - startedAt,
      });
    }
    this.phaseValue = 'running';
  }

  /** Stops every started component in reverse order within `deadlineMs`; idempotent. */
  stop(deadlineMs: number): Promise<void> {
    this.stopping ??= (async () => {
      if (this.phaseValue !== 'failed') this.phaseValue = 'stopping';
      await this.stopStarted(deadlineMs);
      if (this.phaseValue !== 'failed') this.phaseValue = 'stopped';
    })();
    return this.stopping;
  }

  /** Hands a new config snapshot to every component that can take one, in start order. */
  async applyConfig(config: Snapshot): Promise<void> {
    for (const component of this.components) {
      if (!isReconfigurable<Snapshot>(component)) continue;
      try {
        await component.applyConfig(config);
      } catch (err) {
        this.log.error('Component rejected new config', {
          component: component.name,
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
      }
    }
  }

  health(): RuntimeHealth {
    const components: Record<string, ComponentHealth> = {};
    for (const component of this.components) {
      components[component.name] = this.started.includes(component)
        ? safeHealth(component)
        : { status: this.phaseValue === 'starting' ? 'starting' : 'stopped' };
    }
    return {
      status: aggregate(this.phaseValue, Object.values(components)),
      phase: this.phaseValue,
      components,
    };
  }

  private async stopStarted(deadlineMs: number): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('shutdown deadline reached')),
      deadlineMs,
    );
    timer.unref();
    const hardLimitMs = deadlineMs + 1_000;
    try {
      while (this.started.length > 0) {
        const component = this.started.pop();
        if (component === undefined) break;
        await this.stopOne(component, controller.signal, hardLimitMs);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async stopOne(
    component: Component,
    signal: AbortSignal,
    hardLimitMs: number,
  ): Promise<void> {
    const startedAt = Date.now();
    let overrun: NodeJS.Timeout | undefined;
    const limit = new Promise<'overrun'>((resolve) => {
      overrun = setTimeout(() => resolve('overrun'), hardLimitMs);
      overrun.unref();
    });
    try {
      const result = await Promise.race([
        component.stop(signal).then(() => 'stopped' as const),
        limit,
      ]);
      if (result === 'overrun') {
        this.log.error('Component did not stop before the deadline', { component: component.name });
      } else {
        this.log.debug('Component stopped', {
          component: component.name,
          durationMs: Date.now() - startedAt,
        });
      }
    } catch (err) {
      this.log.error('Component failed to stop cleanly', {
        component: component.name,
        code: errorCodeOf(err),
        error: errorMessageOf(err),
      });
    } finally {
      clearTimeout(overrun);
    }
  }
}

function safeHealth(component: Component): ComponentHealth {
  try {
    return component.health();
  } catch (err) {
    return { status: 'unhealthy', message: errorMessageOf(err) };
  }
}

const SEVERITY: Record<HealthState, number> = {
  healthy: 0,
  degraded: 1,
  starting: 2,
  stopped: 3,
  unhealthy: 4,
};

function aggregate(phase: RuntimePhase, parts: ComponentHealth[]): HealthState {
  if (phase === 'created' || phase === 'starting') return 'starting';
  if (phase === 'stopping' || phase === 'stopped') return 'stopped';
  if (phase === 'failed') return 'unhealthy';
  let worst: HealthState = 'healthy';
  for (const part of parts) if (SEVERITY[part.status] > SEVERITY[worst]) worst = part.status;
  return worst;
}
