/** Team secrets in a Map (the SecretStore port's rules), for tests and benchmarks. */
import type { SecretStore } from '../../domain/ports';
import type { SecretInfo } from '../../domain/types';

/** In-memory SecretStore. `now` stamps the times it reports. */
export class MemorySecretStore implements SecretStore {
  protected readonly values = new Map<string, { value: string; info: SecretInfo }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async put(team: string, name: string, value: string) {
    const key = `${team}/${name}`;
    const at = this.now().toISOString();
    const earlier = this.values.get(key);
    const info = { name, createdAt: earlier?.info.createdAt ?? at, updatedAt: at };
    this.values.set(key, { value, info });
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
  async delete(team: string, name: string) {
    return this.values.delete(`${team}/${name}`);
  }
}
