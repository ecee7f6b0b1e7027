/**
 * Choosing and paging secrets for ListSecrets in the Secrets Manager emulator: the
 * service's filter semantics, its sort orders, and NextToken paging.
 * The token is a cursor (the position after a page's last item), not an offset, so paging
 * stays exact when secrets are added or deleted between pages.
 */
import { ApiError, invalidParam } from './errors';
import type { StoredSecret } from './model';
import { type Body, optString, stringList } from './params';

interface Filter {
  key: string;
  values: string[];
}

const FILTER_KEYS = [
  'all',
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
];

/** A Filters field: up to 10 filters of 1 to 10 values each; absent means no filters. */
export function parseFilters(value: unknown): Filter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 10) {
    throw invalidParam('Filters must be a list of at most 10.');
  }
  return value.map((filter: unknown) => {
    const { Key, Values } = (filter ?? {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || !FILTER_KEYS.includes(Key)) {
      throw invalidParam(`Invalid filter key ${String(Key)}.`);
    }
    const values = stringList(Values ?? [], 'Filters.Values');
    if (values.length === 0 || values.length > 10) {
      throw invalidParam('A filter needs 1 to 10 values.');
    }
    return { key: Key, values };
  });
}

/**
 * AWS semantics: filters AND together, a filter's values OR together, and a value starting
 * with `!` negates. name/tag-key/tag-value are case-sensitive prefix matches, description
 * is a case-insensitive prefix match; `all` (approximated here) needs every word of the
 * value inside some attribute, ignoring case.
 */
export function matchesFilters(secret: StoredSecret, filters: Filter[]): boolean {
  return filters.every((filter) =>
    filter.values.some((raw) => {
      const negated = raw.startsWith('!');
      const pattern = negated ? raw.slice(1) : raw;
      return filterHit(secret, filter.key, pattern) !== negated;
    }),
  );
}

function filterHit(secret: StoredSecret, key: string, pattern: string): boolean {
  const tagKeys = secret.tags.map((tag) => tag.Key);
  const tagValues = secret.tags.flatMap((tag) => (tag.Value === undefined ? [] : [tag.Value]));
  const prefixOf = (values: string[]) => values.some((value) => value.startsWith(pattern));
  switch (key) {
    case 'name':
      return prefixOf([secret.name]);
    case 'tag-key':
      return prefixOf(tagKeys);
    case 'tag-value':
      return prefixOf(tagValues);
    case 'description':
      return (secret.description ?? '').toLowerCase().startsWith(pattern.toLowerCase());
    case 'all': {
      const haystack = [secret.name, secret.description ?? '', ...tagKeys, ...tagValues]
        .join('\n')
        .toLowerCase();
      const words = pattern.toLowerCase().split(/\s+/).filter(Boolean);
      return words.length > 0 && words.every((word) => haystack.includes(word));
    }
    default:
      // primary-region / owning-service: local secrets are never replicas nor service-owned.
      return false;
  }
}

type SortBy = 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';

/** An order of secrets: by one attribute, then by name. */
export interface Sort {
  by: SortBy;
  desc: boolean;
}

/** Position after the last item of a page; a cursor (not an offset) survives deletions. */
interface Cursor {
  by: SortBy;
  desc: boolean;
  key: number | string;
  name: string;
}

/** The SortBy and SortOrder fields of ListSecrets; by default oldest first. */
export function parseSort(body: Body): Sort {
  const by = optString(body, 'SortBy') ?? 'created-date';
  if (!['created-date', 'last-accessed-date', 'last-changed-date', 'name'].includes(by)) {
    throw invalidParam(`Invalid SortBy ${by}.`);
  }
  const order = optString(body, 'SortOrder') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw invalidParam(`Invalid SortOrder ${order}.`);
  return { by: by as SortBy, desc: order === 'desc' };
}

function sortKey(secret: StoredSecret, by: SortBy): number | string {
  if (by === 'name') return secret.name;
  if (by === 'last-accessed-date') return secret.lastAccessedDate ?? 0;
  if (by === 'last-changed-date') return secret.lastChangedDate;
  return secret.createdDate;
}

function compare(a: { key: number | string; name: string }, b: typeof a, desc: boolean): number {
  const primary = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  // Names are unique, so the tie-break makes the order total and the cursor exact.
  const order = primary || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return desc ? -order : order;
}

/**
 * Sorts secrets and returns the page after nextToken (or the first page), with the token
 * of the page after it when there is one. A token from another sort order is refused.
 */
export function paginate(
  secrets: StoredSecret[],
  sort: Sort,
  maxResults: number,
  nextToken: string | undefined,
): { page: StoredSecret[]; nextToken?: string } {
  const keyed = secrets.map((secret) => ({
    secret,
    key: sortKey(secret, sort.by),
    name: secret.name,
  }));
  keyed.sort((a, b) => compare(a, b, sort.desc));
  let start = keyed;
  if (nextToken !== undefined) {
    const cursor = decodeCursor(nextToken);
    if (!cursor || cursor.by !== sort.by || cursor.desc !== sort.desc) {
      throw new ApiError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    start = keyed.filter((item) => compare(item, cursor, sort.desc) > 0);
  }
  const page = start.slice(0, maxResults);
  if (start.length <= maxResults) return { page: page.map((item) => item.secret) };
  const last = page[page.length - 1];
  const cursor: Cursor = { by: sort.by, desc: sort.desc, key: last.key, name: last.name };
  return {
    page: page.map((item) => item.secret),
    nextToken: Buffer.from(JSON.stringify(cursor)).toString('base64url'),
  };
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    const keyOk = typeof cursor.key === 'number' || typeof cursor.key === 'string';
    return keyOk && typeof cursor.name === 'string' ? cursor : undefined;
  } catch {
    return undefined;
  }
}
