/**
 * Checks on a parsed JSON body that no schema can express and that storage engines and the
 * runtime would otherwise enforce as crashes or silent changes:
 * - nesting depth: every recursive step later on (rendering, redaction, `JSON.stringify` of the
 *   stored record) costs stack, and a body of 256 KiB can nest ~130,000 levels, far past
 *   V8's stack (a `RangeError`, so a 500). The walk here is iterative, so checking is safe.
 * - well-formed Unicode: a lone surrogate (`"S\ud800N"`) has no UTF-8 form; DynamoDB and the
 *   AWS SDK write it as U+FFFD, so two distinct ids or names would become one stored value
 *   (distinct events silently taken as duplicates). api.md: a lone surrogate → 400.
 */
import { DomainError, type ErrorDetail } from './errors';

/** A lone surrogate: with the `u` flag a proper pair is one code point, so only unpaired halves are `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `text` is well-formed Unicode (`String.prototype.isWellFormed`, not in this project's ES2022 lib). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Deepest nesting of objects and arrays a request body may have, the body itself counting as 1.
 * Generous beside the narrower rules inside it (a payload template and `artifact.metadata`
 * nest at most 32 levels), so those keep their own, more precise messages.
 */
export const MAX_BODY_DEPTH = 64;

/** Path segments a message names at most: a refused path may be as deep as the limit, its keys long. */
const MAX_PATH_PARTS = 4;
const MAX_PATH_CHARS = 200;

/** A path for messages: `artifact.metadata.a.b…`, `items.3`; never longer than about 200 characters. */
function pathOf(parts: readonly (string | number)[]): string {
  if (parts.length === 0) return 'body';
  const shown = parts.slice(0, MAX_PATH_PARTS).join('.');
  // By code points, so a cut never splits a surrogate pair (the message itself must be well-formed).
  const points = Array.from(shown);
  const cut = points.length > MAX_PATH_CHARS ? `${points.slice(0, MAX_PATH_CHARS).join('')}…` : shown;
  return parts.length > MAX_PATH_PARTS && !cut.endsWith('…') ? `${cut}…` : cut;
}

/**
 * How deep `value` nests objects and arrays, stopping as soon as it exceeds `limit` (so the
 * cost of checking a deep value is bounded by the limit, not by the value). A scalar is 0.
 */
export function nestingDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** A value met on the walk, with how it was reached (a parent link: paths are built only for a message). */
interface Visit {
  value: unknown;
  depth: number;
  key: string | number | null;
  parent: Visit | null;
}

/** The keys from the body down to `visit`. */
function pathTo(visit: Visit): (string | number)[] {
  const parts: (string | number)[] = [];
  for (let at: Visit | null = visit; at !== null && at.key !== null; at = at.parent) parts.push(at.key);
  return parts.reverse();
}

/**
 * Throws a 400 (`invalid`) if `body` nests deeper than {@link MAX_BODY_DEPTH} or holds a string
 * or an object key that is not well-formed Unicode. The message names the first place found.
 * One pass over the body, without recursion and without copying paths (a 256 KiB body of a
 * wide array 60 levels down is checked in milliseconds).
 */
export function checkJsonBody(body: unknown): void {
  const stack: Visit[] = [{ value: body, depth: 0, key: null, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (!isWellFormed(value)) throw refusal(pathOf(pathTo(visit)), 'must be well-formed Unicode (it holds a lone surrogate)');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (visit.depth + 1 > MAX_BODY_DEPTH) throw refusal(pathOf(pathTo(visit)), `nested deeper than ${MAX_BODY_DEPTH} levels`);
    const depth = visit.depth + 1;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        const child: unknown = value[index];
        if (typeof child === 'string' || (typeof child === 'object' && child !== null)) stack.push({ value: child, depth, key: index, parent: visit });
      }
      continue;
    }
    const entries = Object.entries(value);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index];
      if (!isWellFormed(key)) throw refusal(pathOf(pathTo(visit)), 'field names must be well-formed Unicode (one holds a lone surrogate)');
      if (typeof child === 'string' || (typeof child === 'object' && child !== null)) stack.push({ value: child, depth, key, parent: visit });
    }
  }
}

function refusal(field: string, problem: string): DomainError {
  const detail: ErrorDetail = { field, message: problem };
  return new DomainError('invalid', `${field}: ${problem}`, [detail]);
}
