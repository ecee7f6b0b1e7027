/** Team secrets in a Map (the SecretStore port's rules), for tests and benchmarks. */
import type { SecretStore, SecretVersions } from '../../domain/ports';
import type { SecretInfo } from '../../domain/types';

interface Entry {
  value: string;
  /** When `value` became current. */
  since: Date;
  /** The value it replaced, as Secrets Manager keeps it (AWSPREVIOUS). */
  previous: string | null;
  info: SecretInfo;
}

/** In-memory SecretStore. `now` stamps the times it reports. */
export class MemorySecretStore implements SecretStore {
  protected readonly values = new Map<string, Entry>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async put(team: string, name: string, value: string) {
    const key = `${team}/${name}`;
    const at = this.now();
    const earlier = this.values.get(key);
    const info = { name, createdAt: earlier?.info.createdAt ?? at.toISOString(), updatedAt: at.toISOString() };
    this.values.set(key, { value, since: at, previous: earlier?.value ?? null, info });
    return { created: earlier === undefined, info: { ...info } };
  }
  async list(team: string) {
    return [...this.values.entries()]
      .filter(([key]) => key.startsWith(`${team}/`))
      .map(([, { info }]) => ({ ...info }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  async exists(team: string, name: string) {
    return this.values.has(`${team}/${name}`);
  }
  async getValue(team: string, name: string) {
    return this.values.get(`${team}/${name}`)?.value;
  }
  async getVersions(team: string, name: string, previousWithinSeconds: number): Promise<SecretVersions | undefined> {
    const entry = this.values.get(`${team}/${name}`);
    if (!entry) return undefined;
    const young = this.now().getTime() - entry.since.getTime() < previousWithinSeconds * 1000;
    return { value: entry.value, since: new Date(entry.since), previous: young ? entry.previous : null };
  }
  async delete(team: string, name: string) {
    return this.values.delete(`${team}/${name}`);
  }
}
