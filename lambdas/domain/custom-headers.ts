/**
 * A webhook's own request headers (api.md: `headers`): up to 20, names of HTTP token
 * characters, values printable ASCII up to 1024 characters, never one the service sets. They
 * are not secrets (GET shows them); a receiver that needs a secret header uses the access token.
 */

/** Most custom headers per webhook. */
export const MAX_CUSTOM_HEADERS = 20;
/** Longest value. */
export const MAX_HEADER_VALUE_LENGTH = 1024;
/** Longest name: api.md sets none; 256 is far beyond any real header and keeps records small. */
export const MAX_HEADER_NAME_LENGTH = 256;

/** RFC 9110 `token`: the characters a field name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Printable ASCII, space included. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Names the service sets (api.md), and those that would change how the request is framed or the
 * connection is used (a second Content-Length or a Transfer-Encoding could split one request
 * into two for the receiver; Expect would stall the attempt; Connection and friends would break
 * the keep-alive pool; Content-Encoding would tell the receiver to decompress a plain body).
 * Compared in lower case, as HTTP names are case-insensitive.
 */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'content-type', 'content-length', 'authorization', 'host', 'user-agent',
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'content-encoding',
]);
/** Name prefixes the service owns: its own signature and delivery headers, now and later. */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['x-wandb-', 'webhook-'];

/** Whether the service sets (or must control) a header of this name. */
export function isReservedHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADER_NAMES.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** What is wrong with a set of custom headers (the first problem), or null when they are fine. */
export function customHeadersProblem(headers: Readonly<Record<string, string>>): string | null {
  const names = Object.keys(headers);
  if (names.length > MAX_CUSTOM_HEADERS) return `at most ${MAX_CUSTOM_HEADERS} headers allowed, got ${names.length}`;
  const seen = new Map<string, string>();
  for (const name of names) {
    const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
    if (name.length === 0 || name.length > MAX_HEADER_NAME_LENGTH || !TOKEN.test(name)) {
      return `header name ${shown} must be 1-${MAX_HEADER_NAME_LENGTH} token characters (letters, digits and !#$%&'*+-.^_\`|~)`;
    }
    if (isReservedHeaderName(name)) return `header ${shown} is set by the service and cannot be given`;
    const twin = seen.get(name.toLowerCase());
    if (twin !== undefined) return `headers ${JSON.stringify(twin)} and ${shown} are the same header (names are case-insensitive)`;
    seen.set(name.toLowerCase(), name);
    const value = headers[name];
    if (value.length > MAX_HEADER_VALUE_LENGTH) return `header ${shown}: value must be at most ${MAX_HEADER_VALUE_LENGTH} characters`;
    if (!PRINTABLE_ASCII.test(value)) return `header ${shown}: value must be printable ASCII`;
    // HTTP drops spaces around a value: the receiver would not get what GET shows.
    if (value !== value.trim()) return `header ${shown}: value must not begin or end with a space`;
  }
  return null;
}
