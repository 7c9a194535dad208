/**
 * What every RepoSentry Deployment (Helm chart or plain manifest) must get right, as a list of
 * problems: empty when the Deployment is fine. Shared by helm.test.ts and kubernetes.test.ts.
 *
 * SQLite: one pod, Recreate, the database on a PersistentVolumeClaim at /data.
 * PostgreSQL: replicas, a RollingUpdate that stops at most one pod at a time, no claim at /data
 * (replicas cannot share a ReadWriteOnce volume), REPOSENTRY_DATABASE_URL from a Secret.
 */
type Json = Record<string, unknown>;

export type StorageKind = 'sqlite' | 'postgres';

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

/** The single container named `reposentry` of a Deployment (undefined when absent). */
export function reposentryContainer(deployment: unknown): Json | undefined {
  const podSpec = obj(obj(obj(obj(deployment).spec).template).spec);
  return list(podSpec.containers).find((c) => c.name === 'reposentry');
}

function probePath(container: Json, probe: string): unknown {
  return obj(obj(container[probe]).httpGet).path;
}

function storageProblems(deployment: unknown, storage: StorageKind): string[] {
  const spec = obj(obj(deployment).spec);
  const strategy = obj(spec.strategy);
  if (storage === 'sqlite') {
    return [
      ...(spec.replicas === 1 ? [] : [`replicas is ${String(spec.replicas)}, not 1`]),
      ...(strategy.type === 'Recreate' ? [] : ['strategy.type is not Recreate']),
    ];
  }
  const problems: string[] = [];
  if (typeof spec.replicas !== 'number' || spec.replicas < 1) {
    problems.push(`replicas is ${String(spec.replicas)}, not 1 or more`);
  }
  if (strategy.type !== 'RollingUpdate') problems.push('strategy.type is not RollingUpdate');
  const maxUnavailable = obj(strategy.rollingUpdate).maxUnavailable;
  if (maxUnavailable !== 0 && maxUnavailable !== 1) {
    problems.push(`rollingUpdate.maxUnavailable is ${String(maxUnavailable)}, not 0 or 1`);
  }
  const env = list(reposentryContainer(deployment)?.env);
  const url = env.find((e) => e.name === 'REPOSENTRY_DATABASE_URL');
  const ref = obj(obj(url?.valueFrom).secretKeyRef);
  if (typeof ref.name !== 'string' || typeof ref.key !== 'string' || url?.value !== undefined) {
    problems.push('REPOSENTRY_DATABASE_URL does not come from a Secret (valueFrom.secretKeyRef)');
  }
  return problems;
}

export function workloadProblems(deployment: unknown, storage: StorageKind = 'sqlite'): string[] {
  const spec = obj(obj(deployment).spec);
  const podSpec = obj(obj(spec.template).spec);
  const problems = storageProblems(deployment, storage);

  if (obj(deployment).kind !== 'Deployment') problems.unshift('kind is not Deployment');

  const container = reposentryContainer(deployment);
  if (container === undefined) return [...problems, 'no container named reposentry'];

  if (probePath(container, 'livenessProbe') !== '/healthz') {
    problems.push('livenessProbe is not an httpGet on /healthz');
  }
  if (probePath(container, 'readinessProbe') !== '/readyz') {
    problems.push('readinessProbe is not an httpGet on /readyz');
  }
  const args = (Array.isArray(container.args) ? container.args : []).join(' ');
  if (!args.includes('run -c /config/config.yaml')) {
    problems.push('args do not run -c /config/config.yaml');
  }

  const security = obj(container.securityContext);
  if (security.readOnlyRootFilesystem !== true) problems.push('root filesystem is not read-only');
  if (security.allowPrivilegeEscalation !== false) problems.push('privilege escalation allowed');
  const drop = obj(security.capabilities).drop;
  if (!Array.isArray(drop) || !drop.includes('ALL')) problems.push('capabilities.drop lacks ALL');
  const podSecurity = obj(podSpec.securityContext);
  if (podSecurity.runAsNonRoot !== true && security.runAsNonRoot !== true) {
    problems.push('runAsNonRoot is not set');
  }
  const seccomp = obj(security.seccompProfile).type ?? obj(podSecurity.seccompProfile).type;
  if (seccomp !== 'RuntimeDefault') problems.push('seccompProfile is not RuntimeDefault');

  const mounts = new Map(list(container.volumeMounts).map((m) => [m.mountPath, m]));
  const volumes = new Map(list(podSpec.volumes).map((v) => [v.name, v]));
  const volumeAt = (path: string): Json | undefined => {
    const mount = mounts.get(path);
    return mount === undefined ? undefined : volumes.get(mount.name);
  };
  const dataClaim = volumeAt('/data')?.persistentVolumeClaim;
  if (storage === 'sqlite' && dataClaim === undefined) {
    problems.push('/data is not a PersistentVolumeClaim');
  }
  if (storage === 'postgres' && dataClaim !== undefined) {
    problems.push('/data is a PersistentVolumeClaim, which replicas cannot share');
  }
  if (volumeAt('/tmp')?.emptyDir === undefined) problems.push('/tmp is not an emptyDir');
  if (volumeAt('/config')?.configMap === undefined) problems.push('/config is not a ConfigMap');
  if (mounts.get('/config')?.readOnly !== true) problems.push('/config is not mounted read-only');

  const fromSecret = list(container.envFrom).some((e) => obj(e.secretRef).name !== undefined);
  if (!fromSecret) problems.push('no envFrom secretRef: tokens never reach the pod');
  if (typeof podSpec.terminationGracePeriodSeconds !== 'number') {
    // a template placeholder is a string: only check real numbers
    if (podSpec.terminationGracePeriodSeconds === undefined) {
      problems.push('terminationGracePeriodSeconds is not set');
    }
  } else if (podSpec.terminationGracePeriodSeconds < 30) {
    problems.push('terminationGracePeriodSeconds is below 30');
  }
  return problems;
}
