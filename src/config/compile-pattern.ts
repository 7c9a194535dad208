/**
 * Compiles a branch or tag pattern. Patterns written for the Go project may start with RE2's
 * `(?i)`, which JavaScript lacks; it becomes the `i` flag. Returns the reason on failure.
 */
export function compilePattern(pattern: string): { regex: RegExp } | { reason: string } {
  const insensitive = pattern.startsWith('(?i)');
  const source = insensitive ? pattern.slice(4) : pattern;
  try {
    return { regex: new RegExp(source, insensitive ? 'i' : '') };
  } catch (err) {
    const detail = err instanceof Error ? (err.message.split(': ').pop() ?? err.message) : '';
    return { reason: `invalid regular expression ${JSON.stringify(pattern)}: ${detail}` };
  }
}
