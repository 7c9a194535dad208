export const HEALTH_STATES = ['starting', 'healthy', 'degraded', 'unhealthy', 'stopped'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface ComponentHealth {
  readonly status: HealthState;
  /** Short human-readable detail, e.g. "3 repositories failing". Never contains secrets. */
  readonly message?: string;
  /** Small structured detail shown by /health and /api/v1/status. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Everything with a lifecycle. The runtime starts components in order and stops them in reverse.
 * `stop` must finish in-flight work or cancel it cleanly when `signal` aborts (the shutdown
 * deadline), and must be safe to call when `start` failed half-way.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(signal: AbortSignal): Promise<void>;
  health(): ComponentHealth;
}

/**
 * A component that can take a new config snapshot without a restart. The runtime hands on
 * whatever snapshot it is given (`Snapshot` is the daemon's Config); it does not read it.
 */
export interface Reconfigurable<Snapshot> {
  applyConfig(config: Snapshot): void | Promise<void>;
}

export function isReconfigurable<Snapshot>(value: object): value is Reconfigurable<Snapshot> {
  return typeof (value as Partial<Reconfigurable<Snapshot>>).applyConfig === 'function';
}
