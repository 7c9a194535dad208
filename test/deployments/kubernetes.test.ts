import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadShippedConfig, PLACEHOLDER_ENV, unknownConfigKeys } from './shipped-config.js';
import { workloadProblems } from './workload-problems.js';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}
interface ContainerManifest {
  name: string;
  ports: { name: string; containerPort: number }[];
  envFrom?: unknown[];
  readinessProbe?: unknown;
}
interface DeploymentManifest extends Manifest {
  spec: {
    replicas: number;
    strategy: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: ContainerManifest[];
        volumes: {
          name: string;
          configMap?: { name: string };
          persistentVolumeClaim?: { claimName: string };
        }[];
      };
    };
  };
}
interface ConfigMapManifest extends Manifest {
  data: Record<string, string>;
}
interface SecretManifest extends Manifest {
  data?: unknown;
  stringData: Record<string, string>;
}
interface ServiceManifest extends Manifest {
  spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
}
interface KustomizationManifest extends Manifest {
  resources: string[];
}
interface ShippedConfig {
  app: { data_dir: string; health_check_port: number };
  storage: { sqlite: { path: string } };
}

const run = promisify(execFile);
const DIR = path.resolve(import.meta.dirname, '../../deployments/kubernetes');
const FILES = readdirSync(DIR)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const docsOf = (file: string): Manifest[] =>
  yaml.loadAll(readFileSync(path.join(DIR, file), 'utf8')).filter((d) => d !== null) as Manifest[];
const ALL = FILES.flatMap((file) => docsOf(file).map((doc) => ({ file, doc })));
const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

function ofKind<T extends Manifest = Manifest>(kind: string): T {
  const found = ALL.filter(({ doc }) => doc.kind === kind);
  expect(
    found.map(({ file }) => file),
    `exactly one ${kind}`,
  ).toHaveLength(1);
  return found[0]!.doc as T;
}

const container = (deployment: DeploymentManifest): ContainerManifest =>
  deployment.spec.template.spec.containers.find((c) => c.name === 'reposentry')!;

describe('deployments/kubernetes', () => {
  it('has the namespace, config, secret example, claim, deployment and service', () => {
    expect(ALL.map(({ doc }) => doc.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Kustomization',
      'Namespace',
      'PersistentVolumeClaim',
      'Secret',
      'Service',
    ]);
  });

  it('puts every object in the reposentry namespace', () => {
    for (const { file, doc } of ALL) {
      if (doc.kind === 'Namespace' || doc.kind === 'Kustomization') continue;
      expect(doc.metadata?.namespace, file).toBe('reposentry');
    }
    expect(ofKind('Namespace').metadata.name).toBe('reposentry');
  });

  it('lists in kustomization.yaml every manifest except the secret example', () => {
    const resources = ofKind<KustomizationManifest>('Kustomization').resources;
    expect([...resources].sort()).toEqual(
      FILES.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml'),
    );
  });

  it('runs one pod with the Recreate strategy, probes on /healthz and /readyz, locked down', () => {
    expect(workloadProblems(ofKind('Deployment'))).toEqual([]);
  });

  it('reports a Deployment that could run two pods or lost its probes', () => {
    const deployment = structuredClone(ofKind<DeploymentManifest>('Deployment'));
    deployment.spec.replicas = 2;
    deployment.spec.strategy = { type: 'RollingUpdate' };
    delete container(deployment).readinessProbe;
    expect(workloadProblems(deployment)).toEqual([
      'replicas is 2, not 1',
      'strategy.type is not Recreate',
      'readinessProbe is not an httpGet on /readyz',
    ]);
  });

  it('wires the Deployment to the ConfigMap, claim, Secret and Service by name', () => {
    const deployment = ofKind<DeploymentManifest>('Deployment');
    const pod = deployment.spec.template;
    const volumes = new Map(pod.spec.volumes.map((v) => [v.name, v]));
    expect(volumes.get('config')?.configMap?.name).toBe(ofKind('ConfigMap').metadata.name);
    expect(volumes.get('data')?.persistentVolumeClaim?.claimName).toBe(
      ofKind('PersistentVolumeClaim').metadata.name,
    );
    expect(container(deployment).envFrom).toEqual([
      { secretRef: { name: ofKind('Secret').metadata.name } },
    ]);
    expect(deployment.spec.selector.matchLabels).toEqual(pod.metadata.labels);
    const service = ofKind<ServiceManifest>('Service');
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    const portNames = container(deployment).ports.map((p) => p.name);
    expect(portNames).toContain(service.spec.ports[0]!.targetPort);
  });

  it('claims a ReadWriteOnce volume for the database', () => {
    expect(ofKind('PersistentVolumeClaim')).toMatchObject({
      spec: { accessModes: ['ReadWriteOnce'] },
    });
  });

  it('ships a Secret example with placeholders only, for every variable the config uses', () => {
    const secret = ofKind<SecretManifest>('Secret');
    expect(secret.data).toBeUndefined();
    for (const [key, value] of Object.entries(secret.stringData)) {
      expect(value, key).toMatch(/^(|CHANGE_ME)$/);
    }
    const configText = ofKind<ConfigMapManifest>('ConfigMap').data['config.yaml']!;
    const used = [...configText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(used));
  });

  it('has a config.yaml in the ConfigMap that the daemon accepts, on the container port', () => {
    const raw = yaml.load(
      ofKind<ConfigMapManifest>('ConfigMap').data['config.yaml']!,
    ) as ShippedConfig;
    expect(unknownConfigKeys(raw)).toEqual([]);
    const loaded = loadShippedConfig(raw, PLACEHOLDER_ENV);
    expect(loaded).not.toHaveProperty('problems');
    expect(raw.app).toMatchObject({ data_dir: '/data' });
    expect(raw.storage.sqlite.path).toBe('/data/reposentry.db');
    const ports = container(ofKind<DeploymentManifest>('Deployment')).ports;
    expect(ports.map((p) => p.containerPort)).toEqual([raw.app.health_check_port]);
  });

  it.skipIf(KUBECTL === undefined)(
    'builds with kubectl kustomize (skipped where kubectl is not installed)',
    async () => {
      const { stdout } = await run(KUBECTL!, ['kustomize', DIR], { timeout: 20_000 });
      const kinds = (yaml.loadAll(stdout) as Manifest[]).map((doc) => doc.kind);
      expect(kinds.sort()).toEqual([
        'ConfigMap',
        'Deployment',
        'Namespace',
        'PersistentVolumeClaim',
        'Service',
      ]);
    },
  );
});
