import type { LabeledFormat } from './schema-formats.js';

/** One key of the convict schema, flattened: `tekton.headers`, `app.log_file_rotation.max_size`. */
export interface SchemaLeaf {
  readonly path: string;
  readonly doc: string;
  readonly format: LabeledFormat;
  readonly default: unknown;
  readonly sensitive: boolean;
}

/** A schema node is a leaf when it has a `default`; anything else is a section of keys. */
export function isSchemaLeaf(node: unknown): node is Omit<SchemaLeaf, 'path'> {
  return typeof node === 'object' && node !== null && 'default' in node;
}

/** Every leaf of a convict schema object, in declaration order. */
export function schemaLeaves(schema: object, prefix = ''): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  for (const [key, node] of Object.entries(schema) as [string, unknown][]) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isSchemaLeaf(node)) {
      leaves.push({
        path,
        doc: node.doc,
        format: node.format,
        default: node.default,
        sensitive: node.sensitive === true,
      });
    } else if (typeof node === 'object' && node !== null) {
      leaves.push(...schemaLeaves(node, path));
    }
  }
  return leaves;
}
