/** Helpers for building each port once per process, on first use. */

/** `make`'s result, made on the first call and kept. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * An environment variable the stack (or local mode) always sets. Read on first use, not at
 * import: local mode sets the variables before a handler first runs.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
