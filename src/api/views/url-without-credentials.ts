/** A URL for display: `user:password@` replaced by `[REDACTED]@`; a non-URL is returned as is. */
export { redactUrl as urlWithoutCredentials } from '../../logging/redact.js';
