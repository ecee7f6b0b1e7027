/**
 * The per-process cache of secret versions behind the Secrets Manager store. It keeps what
 * Secrets Manager said (the current version with its CreatedDate, and the previous value once
 * it was needed) and never decides from the time it read them: whether the previous value may
 * still sign is computed from the current version's CreatedDate at every call, so a cached
 * entry can neither stretch the rotation overlap past `CreatedDate + overlap` nor cut it short.
 * What the cache delays is only the moment a new value is seen (at most `maxAgeSeconds`).
 *
 * Reads of one secret that arrive together share one request (a cold deliver Lambda gets a
 * batch of 10 deliveries to the same webhook); a failed read is not cached.
 */
import type { SecretVersions } from '../domain/ports';

/** One version as Secrets Manager returned it. `createdAt`: epoch ms. */
export interface FetchedVersion {
  value: string;
  versionId: string;
  createdAt: number;
}

/** Reads one version by staging label; undefined when the secret or the label does not exist. */
export type FetchVersion = (secretId: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS') => Promise<FetchedVersion | undefined>;

interface Entry {
  fetchedAt: number;
  current: Promise<FetchedVersion | undefined>;
  /** Read only when first needed (while the current version is young), then kept with it. */
  previous?: Promise<FetchedVersion | undefined>;
}

/** Secret versions by secret id, each kept `maxAgeSeconds` after it was read. */
export class SecretVersionsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly fetch: FetchVersion,
    private readonly maxAgeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops what is kept of a secret (this process just changed or deleted it). */
  forget(secretId: string): void {
    this.entries.delete(secretId);
  }

  /**
   * The current value and when it became current; the previous value too while the current
   * one is younger than `previousWithinSeconds`. Undefined when the secret does not exist.
   */
  async get(secretId: string, previousWithinSeconds: number): Promise<SecretVersions | undefined> {
    // Two rounds at most: a rotation between reading AWSCURRENT and AWSPREVIOUS shows as a
    // previous version that is ours or newer than ours; then both are read again.
    for (let round = 0; round < 2; round++) {
      const entry = this.entry(secretId);
      const current = await this.settle(secretId, entry, entry.current);
      if (!current) {
        // Not kept: a secret created a moment later (in the console) must be found at once.
        if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
        return undefined;
      }
      const young = this.now() - current.createdAt < previousWithinSeconds * 1000;
      if (!young) return { value: current.value, since: new Date(current.createdAt), previous: null };
      entry.previous ??= this.fetch(secretId, 'AWSPREVIOUS');
      const previous = await this.settle(secretId, entry, entry.previous);
      if (previous && ((previous.versionId !== '' && previous.versionId === current.versionId) || previous.createdAt > current.createdAt)) {
        if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
        continue;
      }
      return { value: current.value, since: new Date(current.createdAt), previous: previous?.value ?? null };
    }
    // Rotated twice while being read: sign with the current value alone this time.
    const current = await this.entry(secretId).current;
    return current && { value: current.value, since: new Date(current.createdAt), previous: null };
  }

  /** The kept entry, or a new one whose current version is being read. */
  private entry(secretId: string): Entry {
    const kept = this.entries.get(secretId);
    const now = this.now();
    if (kept && now - kept.fetchedAt < this.maxAgeSeconds * 1000) return kept;
    const entry: Entry = { fetchedAt: now, current: this.fetch(secretId, 'AWSCURRENT') };
    this.entries.set(secretId, entry);
    return entry;
  }

  /** Awaits a read; a failed one is dropped from the cache so the next call reads again. */
  private async settle<T>(secretId: string, entry: Entry, read: Promise<T>): Promise<T> {
    try {
      return await read;
    } catch (error) {
      if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
      throw error;
    }
  }
}
