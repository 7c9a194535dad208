/**
 * What every RepoSentry Deployment (Helm chart or plain manifest) must get right, as a list of
 * problems: empty when the Deployment is fine. Shared by helm.test.ts and kubernetes.test.ts.
 */
type Json = Record<string, unknown>;

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

export function workloadProblems(deployment: unknown): string[] {
  const problems: string[] = [];
  const spec = obj(obj(deployment).spec);
  const podSpec = obj(obj(spec.template).spec);

  if (obj(deployment).kind !== 'Deployment') problems.push('kind is not Deployment');
  if (spec.replicas !== 1) problems.push(`replicas is ${String(spec.replicas)}, not 1`);
  if (obj(spec.strategy).type !== 'Recreate') problems.push('strategy.type is not Recreate');

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
  if (volumeAt('/data')?.persistentVolumeClaim === undefined) {
    problems.push('/data is not a PersistentVolumeClaim');
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
