/**
 * The signed-in key lives in `sessionStorage` only: gone when the tab closes, never in a URL,
 * a cookie or `localStorage`, and readable only by this origin's own scripts (the CSP admits no
 * other script).
 */
const KEY = 'registry-webhooks.apiKey';

/** The key of this tab's session, if signed in. */
export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Keeps the key for this tab. */
export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

/** Signs out: forgets the key. */
export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
