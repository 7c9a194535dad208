import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The key-by-key comparison of our deliveries with the hooks GitHub and GitLab send themselves:
 * GitHub's published hook bodies, the key paths of a body, the omitted keys docs/tekton.md lists,
 * and its `*` patterns.
 */

// The package's JSON itself (its type declarations need @octokit/webhooks-types).
const githubExamples = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
  name: string;
  examples: unknown[];
}[];

/** The hook bodies GitHub publishes for one event (`push`, `pull_request`, ...). */
export function githubHookExamples(event: string): unknown[] {
  return githubExamples.find((e) => e.name === event)?.examples ?? [];
}

/** Every key path of a JSON value: `a.b`, array elements as `a[]` (all elements merged). */
export function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const at = prefix === '' ? key : `${prefix}.${key}`;
      out.add(at);
      keyPaths(child, at, out);
    }
  }
  return out;
}

/** The key patterns of a docs/tekton.md omitted-keys section (its table's first column). */
export function documentedOmissions(heading: string): string[] {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/tekton.md'), 'utf8');
  const section = doc.split(heading)[1]?.split(/\n#{2,3} /)[0];
  if (section === undefined) throw new Error(`docs/tekton.md: "${heading}" is gone`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** Whether a key path matches a documented pattern (`*` stands for any part of a name). */
export const matches = (pattern: string, key: string): boolean =>
  new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '.*')}$`).test(key);
