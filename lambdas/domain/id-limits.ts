/**
 * Ids the service makes (`wh_…`, `au_…`, `key_…`, `dlv_…`) are 35–37 ASCII characters. A
 * longer id names nothing that can exist, and past ~1 KB DynamoDB refuses it as a key
 * (`ValidationException`, which would be a 500): such ids are refused before any read, as not
 * found in a path and as invalid in a body, a query or a cursor.
 */

/** Longest id accepted anywhere (path, body, query, cursor): well above every id made, far below DynamoDB's key limits. */
export const MAX_ID_LENGTH = 128;

/** Whether `id` could be an id this service made (non-empty, at most {@link MAX_ID_LENGTH} characters). */
export function isPossibleId(id: string): boolean {
  return id.length >= 1 && id.length <= MAX_ID_LENGTH;
}
