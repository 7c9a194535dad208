/** A GET's answer: the body with its paging link and ETag, or a 304 to a conditional request. */
export type GithubAnswer =
  { status: 200; data: unknown; link?: string; etag?: string } | { status: 304 };
