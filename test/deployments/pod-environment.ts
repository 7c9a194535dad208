/**
 * The environment a container starts with, resolved the way the kubelet does: every key of each
 * `envFrom` Secret, then `env` entries (a `value`, or a key of a Secret), which win over envFrom.
 * Lets a test load the shipped config with exactly the variables the pod would have.
 */
type Json = Record<string, unknown>;

/** Secret name -> key -> value. */
export type SecretValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

/** The values of the Secret manifests among `objects` (data decoded, stringData as is). */
export function secretValues(objects: readonly unknown[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const object of objects.map(obj)) {
    if (object.kind !== 'Secret') continue;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(obj(object.data))) {
      values[key] = Buffer.from(String(value), 'base64').toString('utf8');
    }
    for (const [key, value] of Object.entries(obj(object.stringData))) values[key] = String(value);
    out[String(obj(object.metadata).name)] = values;
  }
  return out;
}

export function podEnvironment(
  container: unknown,
  secrets: SecretValues,
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of list(obj(container).envFrom)) {
    const name = obj(source.secretRef).name;
    if (typeof name !== 'string') continue;
    const secret = secrets[name];
    if (secret === undefined) problems.push(`envFrom: no Secret ${name}`);
    else Object.assign(env, secret);
  }
  for (const entry of list(obj(container).env)) {
    const name = String(entry.name);
    if (typeof entry.value === 'string') {
      env[name] = entry.value;
      continue;
    }
    const ref = obj(obj(entry.valueFrom).secretKeyRef);
    const value = secrets[String(ref.name)]?.[String(ref.key)];
    if (value === undefined) {
      problems.push(`env ${name}: no key ${String(ref.key)} in Secret ${String(ref.name)}`);
    } else {
      env[name] = value;
    }
  }
  return { env, problems };
}
