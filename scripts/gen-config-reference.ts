/**
 * Regenerates the configuration reference in README.md from the schema (only the region between
 * the config-reference markers), formatted with the repository's Prettier settings so that
 * `prettier --check` and the staleness test agree. Run: npx tsx scripts/gen-config-reference.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import {
  renderConfigReference,
  replaceConfigReference,
} from '../src/config/render-config-reference.js';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

/** The README text with an up-to-date, Prettier-formatted reference region. */
export async function updatedReadme(readme: string): Promise<string> {
  const options = (await prettier.resolveConfig(README_PATH)) ?? {};
  return prettier.format(replaceConfigReference(readme, renderConfigReference()), {
    ...options,
    parser: 'markdown',
  });
}

async function main(): Promise<void> {
  const current = await readFile(README_PATH, 'utf8');
  const next = await updatedReadme(current);
  if (next === current) {
    console.log(`${path.basename(README_PATH)}: configuration reference is up to date`);
    return;
  }
  await writeFile(README_PATH, next, 'utf8');
  console.log(`${path.basename(README_PATH)}: configuration reference updated`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
