/**
 * What the in-memory stores keep: a deep copy, frozen. Reads hand the frozen record out as it
 * is, so a read costs no copy (the benchmarks measure the service, not a storage engine), and
 * no caller can change what is stored through an object it got: writing to a frozen object
 * throws (the services run in strict mode), so a service that mutated a record would fail its
 * tests instead of passing on a store that copies for it.
 */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
