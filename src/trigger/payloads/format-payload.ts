/** One format's contribution to a delivery: the JSON body object and its format-specific headers. */
export interface FormatPayload {
  readonly body: unknown;
  /** Includes Content-Type; never anything that depends on the secret or the attempt. */
  readonly headers: Readonly<Record<string, string>>;
}
