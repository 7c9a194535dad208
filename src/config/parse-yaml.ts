import { load, YAMLException } from 'js-yaml';

/**
 * Parses YAML text (anchors and merge keys allowed, as the Go project's yaml.v3 does). Returns
 * the reason with its line and column on failure; an empty document is `undefined`.
 */
export function parseYaml(text: string, file: string): { value: unknown } | { problem: string } {
  try {
    return { value: load(text, { filename: file }) };
  } catch (err) {
    if (err instanceof YAMLException) {
      const where = `line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
      return { problem: `${file}: not valid YAML: ${err.reason} (${where})` };
    }
    return { problem: `${file}: not valid YAML: ${String(err)}` };
  }
}

/** A short, secret-free reason for a failed file read. */
export function readErrorReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return err instanceof Error ? err.message : String(err);
}
