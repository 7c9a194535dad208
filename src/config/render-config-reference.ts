import { DISCOVERY_KEYS } from './discovery-keys.js';
import { REPOSITORY_KEYS, type RepositoryKeyDoc } from './repository-keys.js';
import { configSchema } from './schema.js';
import { schemaLeaves, type SchemaLeaf } from './schema-leaves.js';

export const REFERENCE_START = '<!-- config-reference:start -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The keys of each list of mappings, documented below the list. */
const ITEM_KEYS: Readonly<Record<string, Readonly<Record<string, RepositoryKeyDoc>>>> = {
  repositories: REPOSITORY_KEYS,
  discovery: DISCOVERY_KEYS,
};

/**
 * The README configuration reference: one Markdown table row per schema key (then one per
 * repository key), with its type, default and doc. Pure: same schema, same text.
 */
export function renderConfigReference(): string {
  const rows: string[][] = [];
  for (const leaf of schemaLeaves(configSchema)) {
    rows.push([code(leaf.path), code(leaf.format.label), renderDefault(leaf), leaf.doc]);
    const items = ITEM_KEYS[leaf.path];
    if (items === undefined) continue;
    for (const [key, entry] of Object.entries(items)) {
      rows.push([code(`${leaf.path}[].${key}`), code(entry.type), code(entry.default), entry.doc]);
    }
  }
  const lines = [
    row(['Key', 'Type', 'Default', 'Description']),
    row(['---', '---', '---', '---']),
    ...rows.map((cells) => row(cells)),
  ];
  return `${lines.join('\n')}\n`;
}

/** `readme` with the text between the reference markers replaced by `table`. */
export function replaceConfigReference(readme: string, table: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README has no ${REFERENCE_START} ... ${REFERENCE_END} region`);
  }
  const before = readme.slice(0, start + REFERENCE_START.length);
  return `${before}\n\n${table}\n${readme.slice(end)}`;
}

function renderDefault(leaf: SchemaLeaf): string {
  const value = leaf.default;
  if (value === null || value === '') return code('(none)');
  if (typeof value === 'string') return code(value);
  return code(JSON.stringify(value));
}

function code(text: string): string {
  return `\`${text}\``;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}
