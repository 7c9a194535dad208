/**
 * `helm template` without Helm: renders a chart's templates with its values.yaml, overridden by
 * `values` the way `-f` merges them (maps merged key by key, anything else replaced, null
 * removes a default), through the Go template subset of go-template-set.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { GoTemplateSet } from './go-template-set.js';
import { isGoMap } from './go-value.js';
import { helmFunctions } from './helm-functions.js';

export interface RenderOptions {
  /** Values merged over values.yaml (numbers act as float64, as from a values file). */
  readonly values?: Record<string, unknown>;
  readonly releaseName?: string;
  readonly namespace?: string;
}

export interface RenderedChart {
  /** Rendered text of each manifest template, by file name (`_*.tpl` and NOTES.txt excluded). */
  readonly files: ReadonlyMap<string, string>;
  readonly notes: string;
  /** The values the templates saw. */
  readonly values: Record<string, unknown>;
}

/** Helm's coalescing of user values over chart defaults. */
export function mergeValues(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(defaults);
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    if (value === null) delete out[key];
    else if (isGoMap(current) && isGoMap(value)) out[key] = mergeValues(current, value);
    else out[key] = structuredClone(value);
  }
  return out;
}

const capitalize = (key: string): string =>
  key === 'apiVersion' ? 'APIVersion' : key.charAt(0).toUpperCase() + key.slice(1);

export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const read = (file: string): string => readFileSync(path.join(chartDir, file), 'utf8');
  const chart = yaml.load(read('Chart.yaml')) as Record<string, unknown>;
  const chartName = String(chart.name);
  const defaults = (yaml.load(read('values.yaml')) ?? {}) as Record<string, unknown>;
  const values = mergeValues(defaults, options.values ?? {});
  const basePath = `${chartName}/templates`;

  const set: GoTemplateSet = new GoTemplateSet(
    helmFunctions((name, data) => set.execute(name, data)),
  );
  const files = readdirSync(path.join(chartDir, 'templates')).sort();
  for (const file of files) set.add(`${basePath}/${file}`, read(`templates/${file}`));

  const context = (file: string): Record<string, unknown> => ({
    Values: values,
    Chart: Object.fromEntries(Object.entries(chart).map(([k, v]) => [capitalize(k), v])),
    Release: {
      Name: options.releaseName ?? 'reposentry',
      Namespace: options.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1n,
    },
    Template: { BasePath: basePath, Name: `${basePath}/${file}` },
    Capabilities: { KubeVersion: { Version: 'v1.30.0', Major: '1', Minor: '30' } },
  });
  // Helm prints a missing value as "<no value>" and then removes that text.
  const render = (file: string): string =>
    set.execute(`${basePath}/${file}`, context(file)).replaceAll('<no value>', '');

  const rendered = new Map<string, string>();
  for (const file of files) {
    if (!file.startsWith('_') && file !== 'NOTES.txt') rendered.set(file, render(file));
  }
  const notes = files.includes('NOTES.txt') ? render('NOTES.txt') : '';
  return { files: rendered, notes, values };
}

/** The Kubernetes objects of a rendered chart, as Helm splits them (empty documents dropped). */
export function renderedObjects(rendered: RenderedChart): Record<string, unknown>[] {
  return [...rendered.files.values()].flatMap((text) => yaml.loadAll(text).filter(isGoMap));
}
