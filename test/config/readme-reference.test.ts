import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { README_PATH, updatedReadme } from '../../scripts/gen-config-reference.js';
import { REPOSITORY_KEY_NAMES } from '../../src/config/repository-keys.js';
import {
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
} from '../../src/config/render-config-reference.js';
import { configSchema } from '../../src/config/schema.js';
import { schemaLeaves } from '../../src/config/schema-leaves.js';

function region(readme: string): string {
  return readme.slice(readme.indexOf(REFERENCE_START), readme.indexOf(REFERENCE_END));
}

describe('README configuration reference', () => {
  it('is up to date with the schema (run npm run docs:config when this fails)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    expect(readme).toContain(REFERENCE_START);
    expect(region(readme)).toBe(region(await updatedReadme(readme)));
  });

  it('has one row per schema key and per repository key, with its doc', () => {
    const table = renderConfigReference();
    for (const leaf of schemaLeaves(configSchema)) {
      expect(leaf.doc.length).toBeGreaterThan(0);
      expect(table).toContain(`| \`${leaf.path}\` |`);
    }
    for (const key of REPOSITORY_KEY_NAMES)
      expect(table).toContain(`| \`repositories[].${key}\` |`);
  });

  it('escapes pipes so enum types stay in one cell', () => {
    expect(renderConfigReference()).toContain(
      '| `app.log_level` | `debug \\| info \\| warn \\| error` | `info` |',
    );
  });
});
