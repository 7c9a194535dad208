/**
 * The set of secret values the redaction format masks wherever they appear in a log line. Every
 * configured secret is registered at config load (with its base64 forms, as they appear in Basic
 * auth headers). One instance per process, passed explicitly: no module state.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret and its encodings; values shorter than 4 characters are ignored. */
  register(value: string | undefined): void {
    if (value === undefined || value.length < 4) return;
    const before = this.values.size;
    for (const form of encodings(value)) this.values.add(form);
    if (this.values.size !== before) this.pattern = undefined;
  }

  registerAll(values: Iterable<string>): void {
    for (const value of values) this.register(value);
  }

  /** Replaces every registered secret in `text` by `[REDACTED]`. */
  redact(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, '[REDACTED]');
  }
}

function encodings(value: string): string[] {
  const utf8 = Buffer.from(value, 'utf8');
  const forms = [value, utf8.toString('base64'), utf8.toString('base64url')];
  // Basic auth carries "user:token"; the token's base64 depends on its offset in the string,
  // so register the encodings of the common prefixes used by git and the forges as well.
  for (const user of ['x-access-token:', 'oauth2:', 'git:', 'token:', ':']) {
    forms.push(Buffer.from(user + value, 'utf8').toString('base64'));
  }
  forms.push(encodeURIComponent(value));
  return [...new Set(forms.filter((f) => f.length >= 4))];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
