/**
 * Regenerates the configuration reference from the schema in every file that holds it: the region
 * between the config-reference markers in docs/configuration.md (required) and in README.md (only
 * when the README has the markers). Each file is formatted with the repository's Prettier settings
 * so that `prettier --check` and the staleness test agree.
 * Run: npm run docs:config (or npx tsx scripts/gen-config-reference.ts)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import {
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
  replaceConfigReference,
} from '../src/config/render-config-reference.js';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));
export const CONFIGURATION_DOC_PATH = fileURLToPath(
  new URL('../docs/configuration.md', import.meta.url),
);

/** A file that may hold the generated reference; `required` files must have the markers. */
export interface ReferenceTarget {
  readonly file: string;
  readonly required: boolean;
}

export const REFERENCE_TARGETS: readonly ReferenceTarget[] = [
  { file: CONFIGURATION_DOC_PATH, required: true },
  { file: README_PATH, required: false },
];

/** True when `text` has a start marker followed by an end marker. */
export function hasReferenceRegion(text: string): boolean {
  const start = text.indexOf(REFERENCE_START);
  return start !== -1 && text.indexOf(REFERENCE_END, start) !== -1;
}

/**
 * `text` (the contents of `file`) with an up-to-date, Prettier-formatted reference region.
 * Throws, naming the file, when it has no marker region.
 */
export async function withUpdatedReference(file: string, text: string): Promise<string> {
  if (!hasReferenceRegion(text)) {
    throw new Error(`${path.basename(file)} has no ${REFERENCE_START} ... ${REFERENCE_END} region`);
  }
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(replaceConfigReference(text, renderConfigReference()), {
    ...options,
    parser: 'markdown',
  });
}

async function main(): Promise<void> {
  for (const { file, required } of REFERENCE_TARGETS) {
    const name = path.relative(process.cwd(), file);
    const current = await readFile(file, 'utf8');
    if (!required && !hasReferenceRegion(current)) continue;
    const next = await withUpdatedReference(file, current);
    if (next === current) {
      console.log(`${name}: configuration reference is up to date`);
      continue;
    }
    await writeFile(file, next, 'utf8');
    console.log(`${name}: configuration reference updated`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
