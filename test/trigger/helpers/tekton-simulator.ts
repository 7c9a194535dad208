import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/**
 * Just enough of Tekton Triggers to check deployments/tekton against what RepoSentry sends: it
 * loads the manifests, runs the GitHub / GitLab / CEL interceptors the way Tekton does (HMAC or
 * token against the Secret, event type allow-list, a CEL filter), and resolves the `$(body...)`
 * and `$(header...)` references of the bindings. Header names are case-insensitive, as in Tekton.
 * The CEL evaluator understands only the forms our filters use (`&&` of `has(path)`,
 * `header.match`, `path.startsWith`, `path == literal`, `path in [literals]`, each maybe negated
 * with `!`) and throws on anything else, so a new filter cannot pass unchecked.
 */
export interface Delivery {
  readonly rawBody: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Param {
  readonly name: string;
  readonly value?: unknown;
  readonly default?: unknown;
}

export interface Interceptor {
  readonly ref: { readonly name: string };
  readonly params?: readonly Param[];
}

export interface Trigger {
  readonly name: string;
  readonly interceptors?: readonly Interceptor[];
  readonly bindings: readonly { readonly ref: string }[];
  readonly template: { readonly ref: string };
}

export interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: Record<string, unknown>;
  readonly stringData?: Record<string, string>;
}

export function loadManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) => yaml.loadAll(readFileSync(join(dir, file), 'utf8')) as Manifest[])
    .filter((doc) => doc !== null && doc !== undefined);
}

export function byKind(manifests: readonly Manifest[], kind: string): Map<string, Manifest> {
  return new Map(manifests.filter((m) => m.kind === kind).map((m) => [m.metadata.name, m]));
}

/** Every `$(body.x.y)` / `$(header.X)` reference in a string. */
export function referencesIn(text: string): string[] {
  return [...text.matchAll(/\$\(((?:body|header)\.[^)]+)\)/g)].map((match) => match[1]!);
}

export function headerOf(delivery: Delivery, name: string): string | undefined {
  const lower = name.toLowerCase();
  const key = Object.keys(delivery.headers).find((header) => header.toLowerCase() === lower);
  return key === undefined ? undefined : delivery.headers[key];
}

/** Resolves `body.a.b` or `header.Name`; undefined when any step is missing. */
export function resolveReference(delivery: Delivery, reference: string): unknown {
  const [root, ...rest] = reference.split('.');
  if (root === 'header') return headerOf(delivery, rest.join('.'));
  if (root !== 'body') throw new Error(`unsupported reference ${reference}`);
  let value: unknown = delivery.body;
  for (const segment of rest) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The references of `bindingText` that do not resolve in `delivery`. */
export function unresolvedReferences(delivery: Delivery, params: readonly Param[]): string[] {
  return params
    .flatMap((param) => referencesIn(String(param.value)))
    .filter((reference) => resolveReference(delivery, reference) === undefined);
}

function paramOf(interceptor: Interceptor, name: string): unknown {
  return interceptor.params?.find((param) => param.name === name)?.value;
}

function secretOf(interceptor: Interceptor, secrets: Map<string, Manifest>): string | undefined {
  const ref = paramOf(interceptor, 'secretRef') as
    { secretName: string; secretKey: string } | undefined;
  if (ref === undefined) return undefined;
  const secret = secrets.get(ref.secretName)?.stringData?.[ref.secretKey];
  if (secret === undefined) throw new Error(`secretRef ${ref.secretName} not defined`);
  return secret;
}

function sameText(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function githubAccepts(interceptor: Interceptor, delivery: Delivery, secret?: string): boolean {
  if (secret !== undefined) {
    const sha256 = headerOf(delivery, 'X-Hub-Signature-256');
    const expected = `sha256=${createHmac('sha256', secret).update(delivery.rawBody).digest('hex')}`;
    if (sha256 === undefined || !sameText(sha256, expected)) return false;
  }
  const eventTypes = paramOf(interceptor, 'eventTypes') as string[] | undefined;
  return (
    eventTypes === undefined || eventTypes.includes(headerOf(delivery, 'X-GitHub-Event') ?? '')
  );
}

function gitlabAccepts(interceptor: Interceptor, delivery: Delivery, secret?: string): boolean {
  if (secret !== undefined && !sameText(headerOf(delivery, 'X-Gitlab-Token') ?? '', secret)) {
    return false;
  }
  const eventTypes = paramOf(interceptor, 'eventTypes') as string[] | undefined;
  return (
    eventTypes === undefined || eventTypes.includes(headerOf(delivery, 'X-Gitlab-Event') ?? '')
  );
}

class NoSuchKeyError extends Error {}

function literalOf(text: string): unknown {
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (/^-?\d+$/.test(text)) return Number(text);
  throw new Error(`unsupported CEL literal: ${text}`);
}

function pathValue(delivery: Delivery, path: string): unknown {
  const value = resolveReference(delivery, path);
  if (value === undefined) throw new NoSuchKeyError(`no such key: ${path}`);
  return value;
}

function evaluateTerm(term: string, delivery: Delivery): boolean {
  if (term.startsWith('!')) return !evaluateTerm(term.slice(1).trim(), delivery);
  let match = /^has\((body(?:\.\w+)+)\)$/.exec(term);
  if (match) return resolveReference(delivery, match[1]!) !== undefined;
  match = /^header\.match\('([^']+)',\s*'([^']*)'\)$/.exec(term);
  if (match) return headerOf(delivery, match[1]!) === match[2];
  match = /^(body(?:\.\w+)+)\.startsWith\('([^']*)'\)$/.exec(term);
  if (match) return String(pathValue(delivery, match[1]!)).startsWith(match[2]!);
  match = /^(body(?:\.\w+)+)\s+in\s+\[([^\]]*)\]$/.exec(term);
  if (match) {
    const list = match[2]!.split(',').map((item) => literalOf(item.trim()));
    return list.includes(pathValue(delivery, match[1]!));
  }
  match = /^(body(?:\.\w+)+)\s*(==|!=)\s*(.+)$/.exec(term);
  if (match) {
    const equal = pathValue(delivery, match[1]!) === literalOf(match[3]!.trim());
    return match[2] === '==' ? equal : !equal;
  }
  throw new Error(`unsupported CEL expression: ${term}`);
}

/** Evaluates a CEL filter; a missing key makes it fail, as a CEL evaluation error does. */
export function celFilterAccepts(filter: string, delivery: Delivery): boolean {
  try {
    return filter
      .split('&&')
      .map((term) => term.trim())
      .every((term) => evaluateTerm(term, delivery));
  } catch (err) {
    if (err instanceof NoSuchKeyError) return false;
    throw err;
  }
}

/** Every body path a CEL filter reads (outside `has(...)`). */
export function celFilterPaths(filter: string): string[] {
  return [
    ...filter.matchAll(/(?<!has\()\b(body(?:\.\w+)+?)(?=\.startsWith|\s*[!=]=|\s+in\s)/g),
  ].map((match) => match[1]!);
}

/** Runs one interceptor on a delivery. */
export function interceptorAccepts(
  interceptor: Interceptor,
  delivery: Delivery,
  secrets: Map<string, Manifest>,
): boolean {
  const secret = secretOf(interceptor, secrets);
  switch (interceptor.ref.name) {
    case 'github':
      return githubAccepts(interceptor, delivery, secret);
    case 'gitlab':
      return gitlabAccepts(interceptor, delivery, secret);
    case 'cel':
      return celFilterAccepts(String(paramOf(interceptor, 'filter')), delivery);
    default:
      throw new Error(`interceptor ${interceptor.ref.name} is not simulated`);
  }
}

/** Runs a trigger's interceptors in order, as the EventListener does. */
export function triggerAccepts(
  trigger: Trigger,
  delivery: Delivery,
  secrets: Map<string, Manifest>,
): boolean {
  return (trigger.interceptors ?? []).every((interceptor) =>
    interceptorAccepts(interceptor, delivery, secrets),
  );
}
