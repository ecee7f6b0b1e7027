/**
 * Hash routing (`#/webhooks/wh_1`): static hosting (S3, local mode) serves one index.html for
 * every page, and nothing in the path or query ever carries the key.
 */
import { useEffect, useState } from 'preact/hooks';

/** The current route's segments, e.g. `['deliveries', 'dlv_1']`; `[]` at the start page. */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
}

/** The query part of the hash (`#/deliveries?status=failed`), e.g. a list's filters. */
export function useHashQuery(): URLSearchParams {
  useRoute(); // re-render on every hash change
  return new URLSearchParams(location.hash.split('?')[1] ?? '');
}

/** The href of a route. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

/** The href of a route with a query (empty values are left out). */
export function hrefWithQuery(segments: string[], query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${href(...segments)}?${text}` : href(...segments);
}

/** Goes to a route. */
export function go(...segments: string[]): void {
  location.hash = href(...segments);
}
