/**
 * The Secrets Manager emulator's state: every secret by name, lookup by name or ARN, and
 * the JSON data file behind it. Each request runs as one unit of work; if it changed
 * anything, it answers only after the new state is in the file. Writes are atomic
 * (temp file, mode 0600, fsync, rename) and queued one after another, so the file never
 * interleaves two states and always ends with the newest.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidRequest, MARKED_DELETED, notFound } from './errors';
import { DAY_SECONDS, type StoredSecret } from './model';

interface DataFile {
  formatVersion: 1;
  secrets: StoredSecret[];
}

/** Epoch seconds, fractional, the timestamp format of the JSON protocol. */
const nowSeconds = () => Date.now() / 1000;

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** All secrets of one emulator, persisted to its data file. */
export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private writes: Promise<void> = Promise.resolve();
  /** Set by any change; a request that leaves it set waits for the file write. */
  private dirty = false;

  private constructor(
    private readonly dataFile: string,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Loads the data file; a missing file is an empty store, a broken one is an error. */
  static async load(dataFile: string, region: string, accountId: string): Promise<SecretStore> {
    const store = new SecretStore(dataFile, region, accountId);
    await mkdir(dirname(dataFile), { recursive: true, mode: 0o700 });
    let text: string | undefined;
    try {
      text = await readFile(dataFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return store;
    let data: DataFile;
    try {
      data = JSON.parse(text) as DataFile;
    } catch {
      // Not the parser's message: it quotes the file, which holds secret values.
      throw new Error(`Secrets data file ${dataFile} is not valid JSON`);
    }
    if (data?.formatVersion !== 1 || !Array.isArray(data.secrets)) {
      throw new Error(`Secrets data file ${dataFile} has an unknown format`);
    }
    for (const secret of data.secrets) store.secrets.set(secret.name, secret);
    return store;
  }

  /**
   * Runs one request's work at the current time, after dropping secrets whose deletion has
   * become final; answers only after its change (if any) is in the file.
   */
  async run(work: (now: number) => object): Promise<object> {
    const now = nowSeconds();
    this.purgeExpired(now);
    let output: object;
    try {
      output = work(now);
    } finally {
      // A rejected request may still have purged expired secrets; persist that too.
      if (this.dirty) {
        this.dirty = false;
        await this.persist();
      }
    }
    return output;
  }

  /** Resolves once every write queued so far has finished. */
  async flush(): Promise<void> {
    await this.writes;
  }

  /** Every secret, including those scheduled for deletion, in no particular order. */
  all(): StoredSecret[] {
    return [...this.secrets.values()];
  }

  /** The secret with exactly this name, if any. */
  get(name: string): StoredSecret | undefined {
    return this.secrets.get(name);
  }

  /** A new ARN for a secret name, with the random suffix the service appends. */
  newArn(name: string): string {
    return `${this.arnPrefix()}${name}-${randomSuffix()}`;
  }

  /** Adds a new secret. */
  add(secret: StoredSecret): void {
    this.secrets.set(secret.name, secret);
    this.dirty = true;
  }

  /** Deletes a secret for good. */
  remove(secret: StoredSecret): void {
    this.secrets.delete(secret.name);
    this.dirty = true;
  }

  /** Records a change to a secret: its last-changed date, and that the file needs a write. */
  modified(secret: StoredSecret, now: number): void {
    secret.lastChangedDate = now;
    this.dirty = true;
  }

  /** Records a read; AWS keeps the last read day only (midnight UTC), so reads rarely write. */
  touch(secret: StoredSecret, now: number): void {
    const day = Math.floor(now / DAY_SECONDS) * DAY_SECONDS;
    if (secret.lastAccessedDate !== day) {
      secret.lastAccessedDate = day;
      this.dirty = true;
    }
  }

  /** Finds by name, full ARN, or partial ARN (without the random suffix), as AWS does. */
  find(secretId: string): StoredSecret {
    let secret: StoredSecret | undefined;
    if (secretId.startsWith('arn:')) {
      secret = this.all().find((s) => s.arn === secretId);
      const prefix = this.arnPrefix();
      if (!secret && secretId.startsWith(prefix)) {
        secret = this.secrets.get(secretId.slice(prefix.length));
      }
    } else {
      secret = this.secrets.get(secretId);
    }
    if (!secret) throw notFound();
    return secret;
  }

  /** Like find, but a secret scheduled for deletion can't be read or changed. */
  live(secretId: string): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_DELETED);
    return secret;
  }

  private arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  private purgeExpired(now: number) {
    for (const secret of this.secrets.values()) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) this.remove(secret);
    }
  }

  /**
   * Queues a write of the current state. The snapshot is taken now, and writes run one
   * after another, so the file always ends with the newest state and never interleaves.
   */
  private persist(): Promise<void> {
    const data: DataFile = { formatVersion: 1, secrets: this.all() };
    const text = JSON.stringify(data, null, 2);
    const write = this.writes.then(() => writeAtomically(this.dataFile, text));
    // A failed write fails its request, but must not stall the writes queued after it.
    this.writes = write.catch(() => undefined);
    return write;
  }
}

/** Writes a temp file (0600, fsynced) next to the target, then renames it over the target. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // open()'s mode passes through the umask; make it exact
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
