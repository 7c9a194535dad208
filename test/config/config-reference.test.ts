import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIGURATION_DOC_PATH,
  REFERENCE_TARGETS,
  hasReferenceRegion,
  withUpdatedReference,
} from '../../scripts/gen-config-reference.js';
import { REPOSITORY_KEY_NAMES } from '../../src/config/repository-keys.js';
import {
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
} from '../../src/config/render-config-reference.js';
import { configSchema } from '../../src/config/schema.js';
import { schemaLeaves } from '../../src/config/schema-leaves.js';

function region(text: string): string {
  return text.slice(text.indexOf(REFERENCE_START), text.indexOf(REFERENCE_END));
}

describe('configuration reference', () => {
  it('is in docs/configuration.md', async () => {
    expect(hasReferenceRegion(await readFile(CONFIGURATION_DOC_PATH, 'utf8'))).toBe(true);
  });

  for (const { file, required } of REFERENCE_TARGETS) {
    const name = path.basename(file);
    it(`is up to date with the schema in ${name} when ${name} has it (run npm run docs:config when this fails)`, async () => {
      const text = await readFile(file, 'utf8');
      if (!required && !hasReferenceRegion(text)) return;
      expect(region(text)).toBe(region(await withUpdatedReference(file, text)));
    });
  }

  it('notices a stale row, and a file without the markers', async () => {
    const text = await readFile(CONFIGURATION_DOC_PATH, 'utf8');
    const stale = text.replace('| `tekton.retry_attempts` ', '| `tekton.retry_attempts_old` ');
    expect(stale).not.toBe(text);
    expect(region(stale)).not.toBe(
      region(await withUpdatedReference(CONFIGURATION_DOC_PATH, stale)),
    );
    await expect(withUpdatedReference(CONFIGURATION_DOC_PATH, '# No table\n')).rejects.toThrow(
      /configuration\.md has no <!-- config-reference:start -->/,
    );
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
