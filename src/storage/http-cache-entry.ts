/** A stored response of a conditional GitHub request (see `HttpCacheStorage`). */
export interface HttpCacheEntry {
  readonly etag: string;
  readonly body: string;
}
