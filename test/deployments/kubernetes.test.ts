import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { podEnvironment, secretValues } from './pod-environment.js';
import { loadShippedConfig, PLACEHOLDER_ENV, unknownConfigKeys } from './shipped-config.js';
import { reposentryContainer, workloadProblems } from './workload-problems.js';

type Json = Record<string, unknown>;

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}
interface ContainerManifest {
  name: string;
  image?: string;
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

const PG_DIR = path.join(DIR, 'postgres');
const PG_FILES = readdirSync(PG_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const PG_ALL = PG_FILES.flatMap((file) =>
  docsOf(path.join('postgres', file)).map((doc) => ({ file, doc })),
);

function ofKind<T extends Manifest = Manifest>(kind: string, all = ALL): T {
  const found = all.filter(({ doc }) => doc.kind === kind);
  expect(
    found.map(({ file }) => file),
    `exactly one ${kind}`,
  ).toHaveLength(1);
  return found[0]!.doc as T;
}

const pgOfKind = <T extends Manifest = Manifest>(kind: string): T => ofKind<T>(kind, PG_ALL);
const pgFile = (file: string): Manifest =>
  PG_ALL.find((entry) => entry.file === file)?.doc ?? expect.fail(`postgres/${file} is missing`);

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

describe('deployments/kubernetes/postgres', () => {
  const deployment = (): DeploymentManifest => pgOfKind<DeploymentManifest>('Deployment');
  const pod = (): DeploymentManifest['spec']['template'] => deployment().spec.template;

  it('has the namespace, config, deployment, budget, service, and the two one-off files', () => {
    expect(PG_ALL.map(({ doc }) => doc.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Job',
      'Kustomization',
      'Namespace',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ]);
    for (const { file, doc } of PG_ALL) {
      if (doc.kind === 'Namespace' || doc.kind === 'Kustomization') continue;
      expect(doc.metadata?.namespace, file).toBe('reposentry');
    }
  });

  it('lists in kustomization.yaml every manifest except the Secret example and the Job', () => {
    const resources = pgOfKind<KustomizationManifest>('Kustomization').resources;
    expect([...resources].sort()).toEqual(
      PG_FILES.filter(
        (f) =>
          !['kustomization.yaml', 'database-secret.example.yaml', 'migrate-job.yaml'].includes(f),
      ),
    );
  });

  it('runs 3 replicas with a rolling update, probes on /healthz and /readyz, locked down', () => {
    expect(workloadProblems(deployment(), 'postgres')).toEqual([]);
    expect(deployment().spec).toMatchObject({
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    });
  });

  it('reports a PostgreSQL Deployment with a claim, Recreate, or the URL written in', () => {
    const broken = structuredClone(deployment()) as DeploymentManifest & { spec: Json };
    broken.spec.strategy = { type: 'Recreate' };
    broken.spec.template.spec.volumes = broken.spec.template.spec.volumes.map((v) =>
      v.name === 'data' ? { name: 'data', persistentVolumeClaim: { claimName: 'x' } } : v,
    );
    (reposentryContainer(broken)!.env as Json[])[1] = {
      name: 'REPOSENTRY_DATABASE_URL',
      value: 'postgres://u:secret@db/r',
    };
    expect(workloadProblems(broken, 'postgres')).toEqual([
      'strategy.type is not RollingUpdate',
      'rollingUpdate.maxUnavailable is undefined, not 0 or 1',
      'REPOSENTRY_DATABASE_URL does not come from a Secret (valueFrom.secretKeyRef)',
      '/data is a PersistentVolumeClaim, which replicas cannot share',
    ]);
  });

  it('has a PodDisruptionBudget on the same pods that leaves room to drain', () => {
    const budget = pgOfKind<Manifest & { apiVersion: string; spec: Json }>('PodDisruptionBudget');
    expect(budget.apiVersion).toBe('policy/v1');
    expect(budget.spec.minAvailable).toBeLessThan(deployment().spec.replicas);
    expect(budget.spec.selector).toEqual({ matchLabels: deployment().spec.selector.matchLabels });
  });

  it('prefers putting the replicas on different nodes', () => {
    expect(pod().spec).toMatchObject({
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: pod().metadata.labels },
              },
            },
          ],
        },
      },
    });
  });

  it('replaces the SQLite objects in place: same names, selector and Service', () => {
    const sqlite = ofKind<DeploymentManifest>('Deployment');
    expect(deployment().metadata).toEqual(sqlite.metadata);
    expect(deployment().spec.selector).toEqual(sqlite.spec.selector);
    expect(pgOfKind('ConfigMap').metadata.name).toBe(ofKind('ConfigMap').metadata.name);
    expect(pgOfKind('Service')).toEqual(ofKind('Service'));
    expect(pgOfKind('Namespace')).toEqual(ofKind('Namespace'));
    const same = (c: ContainerManifest): unknown => {
      const { env: _env, ...rest } = c as ContainerManifest & { env?: unknown };
      return rest;
    };
    expect(same(container(deployment()))).toEqual(same(container(sqlite)));
  });

  it('has a config.yaml that the daemon loads as postgres with the environment of the pod', () => {
    const raw = yaml.load(pgOfKind<ConfigMapManifest>('ConfigMap').data['config.yaml']!) as Json;
    expect(unknownConfigKeys(raw)).toEqual([]);
    const secrets = secretValues([ofKind('Secret'), pgFile('database-secret.example.yaml')]);
    const { env, problems } = podEnvironment(container(deployment()), secrets);
    expect(problems).toEqual([]);
    const loaded = loadShippedConfig(raw, env);
    expect(loaded).not.toHaveProperty('problems');
    expect(loaded).toMatchObject({
      config: {
        storage: { type: 'postgres', postgres: { url: env.REPOSENTRY_DATABASE_URL } },
        warnings: [],
      },
    });
    const ports = container(deployment()).ports.map((p) => p.containerPort);
    expect(ports).toEqual([(raw.app as Json).health_check_port]);
  });

  it('ships the database Secret example with a placeholder password only', () => {
    const secret = pgFile('database-secret.example.yaml') as SecretManifest;
    expect(secret.metadata.name).toBe('reposentry-database');
    expect(secret.data).toBeUndefined();
    expect(Object.keys(secret.stringData)).toEqual(['url']);
    const url = new URL(secret.stringData.url!);
    expect(url.protocol).toBe('postgres:');
    expect(url.password).toBe('CHANGE_ME');
  });

  it('has a migration Job that copies the SQLite volume with the SQLite config', () => {
    const job = pgFile('migrate-job.yaml') as Manifest & {
      spec: {
        backoffLimit: number;
        template: DeploymentManifest['spec']['template'] & { spec: Json };
      };
    };
    const jobPod = job.spec.template;
    const migrate = jobPod.spec.containers[0] as ContainerManifest & Json;
    expect(migrate.args).toEqual([
      'storage',
      'migrate',
      '--to',
      'env:REPOSENTRY_DATABASE_URL',
      '-c',
      '/config/config.yaml',
    ]);
    expect(migrate.image).toBe(container(deployment()).image);
    const volumes = new Map(jobPod.spec.volumes.map((v) => [v.name, v]));
    expect(volumes.get('data')?.persistentVolumeClaim?.claimName).toBe(
      ofKind('PersistentVolumeClaim').metadata.name,
    );
    expect(volumes.get('config')?.configMap?.name).toBe(ofKind('ConfigMap').metadata.name);
    expect(job.spec.backoffLimit).toBe(0);
    expect(jobPod.spec.restartPolicy).toBe('Never');
    const secrets = secretValues([ofKind('Secret'), pgFile('database-secret.example.yaml')]);
    const { env, problems } = podEnvironment(migrate, secrets);
    expect(problems).toEqual([]);
    // the config it reads is the SQLite one, applied before the switch
    const sqliteConfig = yaml.load(ofKind<ConfigMapManifest>('ConfigMap').data['config.yaml']!);
    expect(loadShippedConfig(sqliteConfig, env)).toMatchObject({
      config: { storage: { type: 'sqlite' } },
    });
    const service = ofKind<ServiceManifest>('Service');
    expect(jobPod.metadata.labels).not.toMatchObject(service.spec.selector);
  });

  it('describes both variants and the move, step by step, in the README', () => {
    const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
    const move = readme.slice(readme.indexOf('## Move from SQLite to PostgreSQL'));
    const steps = [
      'kubectl -n reposentry scale deployment/reposentry --replicas=0',
      'reposentry storage migrate --to env:REPOSENTRY_DATABASE_URL -c /config/config.yaml',
      'kubectl apply -f postgres/migrate-job.yaml',
      'kubectl apply -k postgres',
      'kubectl -n reposentry delete pvc reposentry-data',
    ].map((step) => move.indexOf(step));
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    for (const file of PG_FILES) expect(readme).toContain(file);
  });

  it.skipIf(KUBECTL === undefined)(
    'builds with kubectl kustomize (skipped where kubectl is not installed)',
    async () => {
      const { stdout } = await run(KUBECTL!, ['kustomize', PG_DIR], { timeout: 20_000 });
      const kinds = (yaml.loadAll(stdout) as Manifest[]).map((doc) => doc.kind);
      expect(kinds.sort()).toEqual([
        'ConfigMap',
        'Deployment',
        'Namespace',
        'PodDisruptionBudget',
        'Service',
      ]);
    },
  );
});
