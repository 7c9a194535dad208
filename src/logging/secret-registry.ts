export const REDACTED = '[REDACTED]';
/** A line break with the blanks around it: where a wrapped message or base64 block is cut. */
const LINE_BREAK = /[ \t]*\r?\n[ \t]*/g;

/**
 * The set of secret values the redaction format masks wherever they appear in a log line. Every
 * configured secret is registered at config load (with its base64 forms, as they appear in Basic
 * auth headers). One instance per process, passed explicitly: no module state.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(values: Iterable<string> = []) {
    this.registerAll(values);
  }

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

  /**
   * Replaces every registered secret in `text` by `[REDACTED]`, also where a line break (with the
   * blanks around it) interrupts it, as in a wrapped message or base64 wrapped at 76 columns.
   */
  redact(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    const out = text.replace(this.pattern, REDACTED);
    return out.includes('\n') ? redactAcrossLines(out, this.pattern) : out;
  }
}

function encodings(value: string): string[] {
  const utf8 = Buffer.from(value, 'utf8');
  const forms = [value, utf8.toString('base64'), utf8.toString('base64url')];
  // A header value `Bearer x` (scheme and credential): the credential appears alone as well.
  const credential = /^\S+\s+(\S+)$/.exec(value)?.[1];
  if (credential !== undefined && credential.length >= 4) forms.push(...encodings(credential));
  // Basic auth carries "user:token"; the token's base64 depends on its offset in the string,
  // so register the encodings of the common prefixes used by git and the forges as well.
  for (const user of ['x-access-token:', 'oauth2:', 'git:', 'token:', ':']) {
    forms.push(Buffer.from(user + value, 'utf8').toString('base64'));
  }
  forms.push(encodeURIComponent(value));
  return [...new Set(forms.filter((f) => f.length >= 4))];
}

/**
 * Replaces the matches of `pattern` that only appear once the lines of `text` are joined (line
 * breaks and the blanks around them removed), in the original text, breaks included.
 */
function redactAcrossLines(text: string, pattern: RegExp): string {
  /** Each removed break: where it was in the joined text, and how long it was. */
  const cuts: { readonly at: number; readonly length: number }[] = [];
  let joined = '';
  let from = 0;
  for (const lineBreak of text.matchAll(LINE_BREAK)) {
    joined += text.slice(from, lineBreak.index);
    cuts.push({ at: joined.length, length: lineBreak[0].length });
    from = lineBreak.index + lineBreak[0].length;
  }
  joined += text.slice(from);
  const original = (index: number): number =>
    cuts.reduce((sum, cut) => (cut.at <= index ? sum + cut.length : sum), index);
  let out = '';
  let kept = 0;
  for (const match of joined.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    if (!cuts.some((cut) => cut.at > start && cut.at < end)) continue;
    out += text.slice(kept, original(start)) + REDACTED;
    kept = original(end - 1) + 1;
  }
  return out + text.slice(kept);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
