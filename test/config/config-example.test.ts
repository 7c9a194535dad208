/**
 * config.example.yaml at the top level: valid, free of start-up warnings, and complete: every key
 * of the schema (and of a repository) is in it with a comment that gives its default, and nothing
 * else is. A key added to the schema without being added to the example fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { REPOSITORY_KEY_NAMES } from '../../src/config/repository-keys.js';
import { DISCOVERY_KEY_NAMES } from '../../src/config/discovery-keys.js';
import { NO_EFFECT_KEYS, configSchema } from '../../src/config/schema.js';
import { isSchemaLeaf, schemaLeaves } from '../../src/config/schema-leaves.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = path.join(ROOT, 'config.example.yaml');
const LEAVES = schemaLeaves(configSchema);
const LEAF_PATHS = new Set(LEAVES.map((leaf) => leaf.path));
/** The Go-compatibility keys that only warn: in the file, but commented out. */
const COMMENTED = Object.keys(NO_EFFECT_KEYS);

const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
/** Every `${NAME}` the file uses, set to a sample value (a database URL for `*_DATABASE_URL`). */
const ENV = Object.fromEntries(
  [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [
    m[1],
    m[1]?.endsWith('_DATABASE_URL')
      ? 'postgres://reposentry:sample@db.example:5432/reposentry'
      : `sample-${m[1]}`,
  ]),
);

/** The file with the commented-out Go-compatibility keys (`# batch_size: 10`) turned on. */
function withCommentedKeysOn(source: string): string {
  const names = COMMENTED.map((key) => key.split('.').pop());
  return source.replace(/^( *)# ([a-z_]+):/gm, (line, indent: string, key: string) =>
    names.includes(key) ? `${indent}${key}:` : line,
  );
}

/** Every key path of a parsed config: schema leaves, `repositories[].key`, `discovery[].key`, and unknown paths. */
function keyPaths(document: unknown): string[] {
  const found: string[] = [];
  const walk = (node: Record<string, unknown>, section: object, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const keyPath = prefix === '' ? key : `${prefix}.${key}`;
      const schemaNode: unknown = Object.hasOwn(section, key)
        ? (section as Record<string, unknown>)[key]
        : undefined;
      if ((keyPath === 'repositories' || keyPath === 'discovery') && Array.isArray(value)) {
        found.push(keyPath);
        for (const item of value as Record<string, unknown>[])
          found.push(...Object.keys(item).map((name) => `${keyPath}[].${name}`));
      } else if (isSchemaLeaf(schemaNode) || schemaNode === undefined) {
        found.push(keyPath);
      } else if (typeof value === 'object' && value !== null) {
        walk(value as Record<string, unknown>, schemaNode as object, keyPath);
      } else {
        found.push(keyPath);
      }
    }
  };
  walk(document as Record<string, unknown>, configSchema, '');
  return [...new Set(found)];
}

/**
 * The comment of each schema key in the file: the text after `#` on its line and the comment
 * lines right above it. Keys inside a leaf (repositories, tekton.headers) are not followed.
 */
function keyComments(source: string): Map<string, string> {
  const comments = new Map<string, string>();
  const stack: { indent: number; path: string }[] = [];
  const lines = source.split('\n');
  lines.forEach((line, index) => {
    const match = /^( *)([a-z_]+):(.*)$/.exec(line);
    if (match === null) return;
    const indent = match[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]?.path;
    if (parent !== undefined && LEAF_PATHS.has(parent)) return;
    const keyPath = parent === undefined ? match[2]! : `${parent}.${match[2]!}`;
    stack.push({ indent, path: keyPath });
    const above: string[] = [];
    for (let i = index - 1; i >= 0 && /^ *#/.test(lines[i]!); i -= 1) above.unshift(lines[i]!);
    const inline = /\s#\s(.*)$/.exec(match[3]!)?.[1] ?? '';
    comments.set(keyPath, [...above, inline].join(' '));
  });
  return comments;
}

describe('config.example.yaml', () => {
  it('is at the top level of the repository', () => {
    expect(existsSync(FILE), FILE).toBe(true);
  });

  it('loads through the real loader with its variables set: no problem, no warning', async () => {
    const config = await loadConfig({ file: FILE, env: ENV, cwd: ROOT });
    expect(config.warnings).toEqual([]);
    expect(config.repositories.map((r) => r.provider).sort()).toEqual(['git', 'github', 'gitlab']);
  });

  it('writes every secret as ${VAR}, so it loads with no secret in the file', async () => {
    const secretPaths = LEAVES.filter((leaf) => leaf.sensitive).map((leaf) => leaf.path);
    expect(secretPaths).toEqual(expect.arrayContaining(['api.auth_token', 'tekton.secret']));
    const document = yaml.load(text) as Record<string, Record<string, unknown>>;
    for (const secretPath of secretPaths) {
      const value = secretPath
        .split('.')
        .reduce<unknown>(
          (node, key) => (node as Record<string, unknown> | undefined)?.[key],
          document,
        );
      expect(value, secretPath).toMatch(/^\$\{[A-Z_]+\}$/);
    }
    const repositories = document.repositories as unknown as Record<string, unknown>[];
    for (const repo of repositories.filter((r) => 'token' in r))
      expect(repo.token, String(repo.name)).toMatch(/^\$\{[A-Z_]+\}$/);
    await expect(loadConfig({ file: FILE, env: {}, cwd: ROOT })).rejects.toThrow(/is not set/);
  });

  it('has every schema key, the Go-compatibility keys that only warn commented out', () => {
    const active = keyPaths(yaml.load(text));
    const all = keyPaths(yaml.load(withCommentedKeysOn(text)));
    const missing = LEAVES.map((leaf) => leaf.path).filter((leaf) => !all.includes(leaf));
    expect(missing, 'schema keys missing from config.example.yaml').toEqual([]);
    const repositoryKeys = REPOSITORY_KEY_NAMES.map((key) => `repositories[].${key}`);
    expect(
      repositoryKeys.filter((key) => !all.includes(key)),
      'repository keys used by no example repository',
    ).toEqual([]);
    const discoveryKeys = DISCOVERY_KEY_NAMES.map((key) => `discovery[].${key}`);
    expect(
      discoveryKeys.filter((key) => !all.includes(key)),
      'discovery keys used by no example entry',
    ).toEqual([]);
    expect(
      COMMENTED.filter((key) => active.includes(key)),
      'keys that would log a start-up warning',
    ).toEqual([]);
  });

  it('has no key the schema does not know', () => {
    const known = new Set([
      ...LEAF_PATHS,
      ...REPOSITORY_KEY_NAMES.map((key) => `repositories[].${key}`),
      ...DISCOVERY_KEY_NAMES.map((key) => `discovery[].${key}`),
    ]);
    const unknown = keyPaths(yaml.load(withCommentedKeysOn(text))).filter((key) => !known.has(key));
    expect(unknown, 'keys in config.example.yaml the schema does not know').toEqual([]);
  });

  it('loads with the commented-out keys turned on too, with exactly their warnings', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rs-example-'));
    try {
      const file = path.join(dir, 'config.yaml');
      await writeFile(file, withCommentedKeysOn(text));
      const config = await loadConfig({ file, env: ENV, cwd: ROOT });
      expect(config.warnings.map((warning) => warning.split(':')[0]).sort()).toEqual(
        [...COMMENTED].sort(),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives each schema key a comment that states its default', () => {
    const comments = keyComments(withCommentedKeysOn(text));
    const undocumented = LEAVES.map((leaf) => leaf.path).filter(
      (leaf) => !/\bdefault\b/i.test(comments.get(leaf) ?? ''),
    );
    expect(undocumented, 'keys without a comment that gives the default').toEqual([]);
  });
});
