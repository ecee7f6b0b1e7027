/**
 * The one marker that stands in for a secret wherever one was removed: in the logged copy of a
 * payload (template.ts), in a receiver's answer (redact.ts) and in the sender's error details
 * (adapters/http-sender.ts). One spelling, so that a reader of the deliveries log — or a
 * search over it — sees the same word for the same thing, whichever path removed the value.
 */

/** Stands in for a secret value that was taken out of stored or returned text. */
export const REDACTED = '[REDACTED]';
