/**
 * A small AWS Secrets Manager-compatible HTTP server for local mode, so the production
 * secrets adapter and the real `@aws-sdk/client-secrets-manager` client run unchanged with
 * no AWS account (there is no Secrets Manager emulator on npm).
 *
 * It speaks the AWS JSON 1.1 protocol the v3 client sends (`POST /`,
 * `X-Amz-Target: secretsmanager.<Action>`) and answers errors the way the real service does
 * (`x-amzn-ErrorType` header plus `__type` body), so the SDK raises the same exception
 * classes. State lives in one JSON file, rewritten atomically after every change.
 *
 * Security: this is a loopback-only development tool. It accepts any SigV4 `Authorization`
 * header without verifying the signature, refuses to bind to anything but a loopback
 * address, stores secret values in plain text (file mode 0600), and logs nothing.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

/** A running emulator. */
export interface SecretsManagerEmulator {
  /** Base URL to pass as the SDK client's `endpoint`, e.g. `http://127.0.0.1:4510`. */
  endpoint: string;
  port: number;
  /** Stops accepting requests and waits until every pending write has reached the file. */
  close(): Promise<void>;
}

/** Options of {@link startSecretsManagerEmulator}. */
export interface SecretsManagerEmulatorOptions {
  /** JSON file holding all secrets; created on the first change, loaded at start. */
  dataFile: string;
  /** TCP port; 0 (default) picks any free one. */
  port?: number;
  /** Loopback address to bind to; default `127.0.0.1`. */
  host?: string;
  /** Region used in ARNs; default `us-east-1`. */
  region?: string;
  /** Account id used in ARNs; default `000000000000`. */
  accountId?: string;
}

/**
 * Starts the emulator. Supported actions: CreateSecret, GetSecretValue, PutSecretValue,
 * UpdateSecret, DescribeSecret, ListSecrets, DeleteSecret, RestoreSecret, TagResource,
 * UntagResource, BatchGetSecretValue. Anything else answers `UnknownOperationException`.
 */
export async function startSecretsManagerEmulator(
  options: SecretsManagerEmulatorOptions,
): Promise<SecretsManagerEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new Error(`Secrets Manager emulator binds to loopback only; refusing host ${host}`);
  }
  const store = await SecretStore.load(
    options.dataFile,
    options.region ?? 'us-east-1',
    options.accountId ?? '000000000000',
  );
  const server = createServer((req, res) => void serve(req, res, store));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // In-flight requests get a moment to finish; a stuck client must not block shutdown.
        const timer = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(timer);
        await store.flush();
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------
// HTTP layer

const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

async function serve(req: IncomingMessage, res: ServerResponse, store: SecretStore) {
  const requestId = randomUUID();
  try {
    if (req.method !== 'POST' || !/^\/?(\?.*)?$/.test(req.url ?? '/')) {
      throw new ApiError('UnknownOperationException', 'Only POST / is supported.');
    }
    // Like the real service, demand a signature, but (dev tool) never verify it.
    if (!/^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? '')) {
      const message = 'Missing Authentication Token';
      throw new ApiError('MissingAuthenticationTokenException', message, 403);
    }
    const target = /^secretsmanager\.([A-Za-z]+)$/.exec(String(req.headers['x-amz-target'] ?? ''));
    const action = target?.[1] ?? '';
    if (!store.supports(action)) {
      throw new ApiError('UnknownOperationException', `Unknown operation ${action || '(none)'}.`);
    }
    const body = parseBody(await readBody(req));
    reply(res, 200, requestId, await store.handle(action, body));
  } catch (error) {
    // Unexpected errors may carry file paths or state; the client only learns "internal".
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError('InternalServiceError', 'An error occurred on the server side.', 500);
    if (apiError.type === 'RequestTooLarge') res.setHeader('connection', 'close');
    res.setHeader('x-amzn-errortype', apiError.type);
    reply(res, apiError.status, requestId, { __type: apiError.type, message: apiError.message });
  }
}

function reply(res: ServerResponse, status: number, requestId: string, payload: unknown) {
  const text = JSON.stringify(payload ?? {});
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

/** Reads the body, refusing more than 1 MiB without holding the excess in memory. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new ApiError('RequestTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer): Body {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Body;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// ---------------------------------------------------------------------------------------
// Errors and parameter parsing

type Body = Record<string, unknown>;

/** An error the client sees as the named AWS exception. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidParam = (message: string) => new ApiError('InvalidParameterException', message);
const invalidRequest = (message: string) => new ApiError('InvalidRequestException', message);
const notFound = (message = "Secrets Manager can't find the specified secret.") =>
  new ApiError('ResourceNotFoundException', message);
const MARKED_DELETED =
  "You can't perform this operation on the secret because it was marked for deletion.";

function optString(body: Body, key: string, maxLength = 65536): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParam(`${key} must be a string.`);
  if (value.length > maxLength) throw invalidParam(`${key} is longer than ${maxLength}.`);
  return value;
}

function reqString(body: Body, key: string, maxLength?: number): string {
  const value = optString(body, key, maxLength);
  if (!value) throw invalidParam(`${key} is required.`);
  return value;
}

function optBool(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(`${key} must be a boolean.`);
  return value;
}

function optInt(body: Body, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalidParam(`${key} must be an integer from ${min} to ${max}.`);
  }
  return value as number;
}

function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParam(`${key} must be a list of strings.`);
  }
  return value as string[];
}

function secretName(body: Body): string {
  const name = reqString(body, 'Name', 512);
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) {
    throw invalidParam(
      'Invalid name. Must be a valid name containing alphanumeric characters, ' +
        'or any of the following: -/_+=.@!',
    );
  }
  return name;
}

/** The SDK fills ClientRequestToken with a UUID itself; it becomes the new VersionId. */
function requestToken(body: Body): string {
  const token = optString(body, 'ClientRequestToken', 64);
  if (token !== undefined && token.length < 32) {
    throw invalidParam('ClientRequestToken must be 32 to 64 characters long.');
  }
  return token ?? randomUUID();
}

interface SecretValue {
  secretString?: string;
  /** Base64, exactly as the JSON protocol carries blobs. */
  secretBinary?: string;
}

function secretValue(body: Body): SecretValue | undefined {
  const secretString = optString(body, 'SecretString', 65536);
  const secretBinary = optString(body, 'SecretBinary', 4 * Math.ceil(65536 / 3));
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParam(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (secretBinary !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(secretBinary)) {
    throw invalidParam('SecretBinary must be base64.');
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  return undefined;
}

interface Tag {
  Key: string;
  Value?: string;
}

function parseTags(value: unknown): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParam('Tags must be a list.');
  return value.map((tag: unknown) => {
    const { Key, Value } = (tag ?? {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || Key.length < 1 || Key.length > 128) {
      throw invalidParam('A tag Key must be 1 to 128 characters.');
    }
    if (Key.startsWith('aws:')) throw invalidParam('Tag keys starting with aws: are reserved.');
    if (Value === undefined || Value === null) return { Key };
    if (typeof Value !== 'string' || Value.length > 256) {
      throw invalidParam('A tag Value must be a string of at most 256 characters.');
    }
    return { Key, Value };
  });
}

/** Adds or replaces tags by key; the service caps a secret at 50 tags. */
function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > 50) throw invalidParam('A secret can have at most 50 tags.');
  return [...byKey.values()];
}

// ---------------------------------------------------------------------------------------
// List filters, sorting and pagination

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

function parseFilters(value: unknown): Filter[] {
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
function matchesFilters(secret: StoredSecret, filters: Filter[]): boolean {
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

interface Sort {
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

function parseSort(body: Body): Sort {
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

function paginate(
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

// ---------------------------------------------------------------------------------------
// State

interface StoredVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  stages: string[];
  createdDate: number;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  tags: Tag[];
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** Set while scheduled for deletion. */
  deletedDate?: number;
  /** When a scheduled deletion becomes final. */
  deletionDate?: number;
  versions: StoredVersion[];
}

interface DataFile {
  formatVersion: 1;
  secrets: StoredSecret[];
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
/** The service keeps up to about 100 versions, dropping the oldest unlabelled ones first. */
const MAX_VERSIONS = 100;
const DAY_SECONDS = 86400;

/** Epoch seconds, fractional, the timestamp format of the JSON protocol. */
const nowSeconds = () => Date.now() / 1000;

function sameValue(version: StoredVersion, value: SecretValue): boolean {
  return version.secretString === value.secretString && version.secretBinary === value.secretBinary;
}

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

type Handler = (body: Body, now: number) => object;

class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly handlers: ReadonlyMap<string, Handler>;
  private writes: Promise<void> = Promise.resolve();
  /** Set by any change; a request that leaves it set waits for the file write. */
  private dirty = false;

  private constructor(
    private readonly dataFile: string,
    private readonly region: string,
    private readonly accountId: string,
  ) {
    this.handlers = new Map<string, Handler>([
      ['CreateSecret', (b, n) => this.createSecret(b, n)],
      ['GetSecretValue', (b, n) => this.getSecretValue(b, n)],
      ['PutSecretValue', (b, n) => this.putSecretValue(b, n)],
      ['UpdateSecret', (b, n) => this.updateSecret(b, n)],
      ['DescribeSecret', (b) => this.describe(this.find(reqString(b, 'SecretId', 2048)))],
      ['ListSecrets', (b) => this.listSecrets(b)],
      ['DeleteSecret', (b, n) => this.deleteSecret(b, n)],
      ['RestoreSecret', (b, n) => this.restoreSecret(b, n)],
      ['TagResource', (b, n) => this.tagResource(b, n)],
      ['UntagResource', (b, n) => this.untagResource(b, n)],
      ['BatchGetSecretValue', (b, n) => this.batchGetSecretValue(b, n)],
    ]);
  }

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

  supports(action: string): boolean {
    return this.handlers.has(action);
  }

  /** Runs one action; answers only after its change (if any) is in the file. */
  async handle(action: string, body: Body): Promise<object> {
    const now = nowSeconds();
    this.purgeExpired(now);
    let output: object;
    try {
      output = this.handlers.get(action)!(body, now);
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

  // -- actions ---------------------------------------------------------------------------

  private createSecret(body: Body, now: number): object {
    const name = secretName(body);
    const versionId = requestToken(body);
    const value = secretValue(body);
    const description = optString(body, 'Description', 2048);
    const tags = mergeTags([], parseTags(body.Tags));
    const existing = this.secrets.get(name);
    if (existing) {
      if (existing.deletedDate !== undefined) {
        throw invalidRequest(
          "You can't create this secret because a secret with this name is already " +
            'scheduled for deletion.',
        );
      }
      // A retry of the very same request (same token and value) succeeds, as in AWS.
      const version = existing.versions.find((v) => v.versionId === versionId);
      if (value && version && sameValue(version, value)) {
        return { ARN: existing.arn, Name: name, VersionId: versionId };
      }
      throw new ApiError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const secret: StoredSecret = {
      name,
      arn: `${this.arnPrefix()}${name}-${randomSuffix()}`,
      ...(description !== undefined && { description }),
      tags,
      createdDate: now,
      lastChangedDate: now,
      versions: [],
    };
    if (value) this.addVersion(secret, versionId, value, [CURRENT], now);
    this.secrets.set(name, secret);
    this.dirty = true;
    return { ARN: secret.arn, Name: name, ...(value && { VersionId: versionId }) };
  }

  private getSecretValue(body: Body, now: number): object {
    const secret = this.live(reqString(body, 'SecretId', 2048));
    const versionId = optString(body, 'VersionId');
    const version = this.pickVersion(secret, versionId, optString(body, 'VersionStage'));
    this.touch(secret, now);
    return this.valueEntry(secret, version);
  }

  private putSecretValue(body: Body, now: number): object {
    const secret = this.live(reqString(body, 'SecretId', 2048));
    const versionId = requestToken(body);
    const value = secretValue(body);
    if (!value) throw invalidParam('You must provide either SecretString or SecretBinary.');
    const { VersionStages } = body;
    const stages =
      VersionStages === undefined ? [CURRENT] : stringList(VersionStages, 'VersionStages');
    const version =
      this.idempotentVersion(secret, versionId, value) ??
      this.addVersion(secret, versionId, value, stages, now);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: versionId,
      VersionStages: version.stages,
    };
  }

  private updateSecret(body: Body, now: number): object {
    const secret = this.live(reqString(body, 'SecretId', 2048));
    const description = optString(body, 'Description', 2048);
    const value = secretValue(body);
    const versionId = value ? requestToken(body) : undefined;
    if (description !== undefined) {
      secret.description = description;
      secret.lastChangedDate = now;
      this.dirty = true;
    }
    if (value && versionId && !this.idempotentVersion(secret, versionId, value)) {
      this.addVersion(secret, versionId, value, [CURRENT], now);
    }
    return { ARN: secret.arn, Name: secret.name, ...(versionId && { VersionId: versionId }) };
  }

  private listSecrets(body: Body): object {
    const maxResults = optInt(body, 'MaxResults', 1, 100) ?? 100;
    const withDeleted = optBool(body, 'IncludePlannedDeletion') ?? false;
    const filters = parseFilters(body.Filters);
    const candidates = [...this.secrets.values()].filter(
      (s) => (withDeleted || s.deletedDate === undefined) && matchesFilters(s, filters),
    );
    const token = optString(body, 'NextToken');
    const { page, nextToken } = paginate(candidates, parseSort(body), maxResults, token);
    return {
      SecretList: page.map((secret) => {
        const { VersionIdsToStages, ...entry } = this.describe(secret);
        return { ...entry, SecretVersionsToStages: VersionIdsToStages };
      }),
      ...(nextToken && { NextToken: nextToken }),
    };
  }

  private deleteSecret(body: Body, now: number): object {
    const secret = this.find(reqString(body, 'SecretId', 2048));
    const force = optBool(body, 'ForceDeleteWithoutRecovery') ?? false;
    const windowDays = optInt(body, 'RecoveryWindowInDays', 7, 30);
    if (force && windowDays !== undefined) {
      throw invalidParam(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    // AWS also lets a secret already scheduled for deletion be force-deleted at once.
    if (force) {
      this.secrets.delete(secret.name);
      this.dirty = true;
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now };
    }
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_DELETED);
    this.dirty = true;
    secret.deletedDate = now;
    secret.deletionDate = now + (windowDays ?? 30) * DAY_SECONDS;
    secret.lastChangedDate = now;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
  }

  private restoreSecret(body: Body, now: number): object {
    const secret = this.find(reqString(body, 'SecretId', 2048));
    if (secret.deletedDate !== undefined) {
      delete secret.deletedDate;
      delete secret.deletionDate;
      secret.lastChangedDate = now;
      this.dirty = true;
    }
    return { ARN: secret.arn, Name: secret.name };
  }

  private tagResource(body: Body, now: number): object {
    const secret = this.live(reqString(body, 'SecretId', 2048));
    if (!Array.isArray(body.Tags)) throw invalidParam('Tags is required.');
    secret.tags = mergeTags(secret.tags, parseTags(body.Tags));
    secret.lastChangedDate = now;
    this.dirty = true;
    return {};
  }

  private untagResource(body: Body, now: number): object {
    const secret = this.live(reqString(body, 'SecretId', 2048));
    const keys = new Set(stringList(body.TagKeys, 'TagKeys'));
    secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
    secret.lastChangedDate = now;
    this.dirty = true;
    return {};
  }

  private batchGetSecretValue(body: Body, now: number): object {
    const hasIds = body.SecretIdList !== undefined && body.SecretIdList !== null;
    const hasFilters = body.Filters !== undefined && body.Filters !== null;
    if (hasIds === hasFilters) {
      throw invalidParam('Specify either SecretIdList or Filters, but not both.');
    }
    const values: object[] = [];
    const errors: object[] = [];
    const fetch = (id: string, secret?: StoredSecret) => {
      try {
        const found = secret ?? this.live(id);
        values.push(this.valueEntry(found, this.pickVersion(found, undefined, undefined)));
        this.touch(found, now);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        errors.push({ SecretId: id, ErrorCode: error.type, Message: error.message });
      }
    };
    if (hasIds) {
      const ids = stringList(body.SecretIdList, 'SecretIdList');
      if (ids.length < 1 || ids.length > 20) throw invalidParam('SecretIdList takes 1 to 20 ids.');
      if (body.MaxResults !== undefined || body.NextToken !== undefined) {
        throw invalidParam('MaxResults and NextToken apply only to Filters.');
      }
      for (const id of ids) fetch(id);
      return { SecretValues: values, Errors: errors };
    }
    const filters = parseFilters(body.Filters);
    const candidates = [...this.secrets.values()].filter(
      (s) => s.deletedDate === undefined && matchesFilters(s, filters),
    );
    const maxResults = optInt(body, 'MaxResults', 1, 20) ?? 20;
    const sort: Sort = { by: 'created-date', desc: false };
    const token = optString(body, 'NextToken');
    const { page, nextToken } = paginate(candidates, sort, maxResults, token);
    for (const secret of page) fetch(secret.name, secret);
    return { SecretValues: values, Errors: errors, ...(nextToken && { NextToken: nextToken }) };
  }

  // -- helpers ---------------------------------------------------------------------------

  private arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  /** Finds by name, full ARN, or partial ARN (without the random suffix), as AWS does. */
  private find(secretId: string): StoredSecret {
    let secret: StoredSecret | undefined;
    if (secretId.startsWith('arn:')) {
      secret = [...this.secrets.values()].find((s) => s.arn === secretId);
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
  private live(secretId: string): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_DELETED);
    return secret;
  }

  private pickVersion(secret: StoredSecret, versionId?: string, stage?: string): StoredVersion {
    if (versionId !== undefined) {
      const version = secret.versions.find((v) => v.versionId === versionId);
      if (!version) {
        throw notFound(
          `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
        );
      }
      if (stage !== undefined && !version.stages.includes(stage)) {
        throw invalidRequest(
          'You provided a VersionStage that is not associated to the provided VersionId.',
        );
      }
      return version;
    }
    const label = stage ?? CURRENT;
    const version = secret.versions.find((v) => v.stages.includes(label));
    if (!version) {
      throw notFound(
        `Secrets Manager can't find the specified secret value for staging label: ${label}`,
      );
    }
    return version;
  }

  /** An existing version with this id: same value means a retry, another value is refused. */
  private idempotentVersion(secret: StoredSecret, versionId: string, value: SecretValue) {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (version && !sameValue(version, value)) {
      throw new ApiError(
        'ResourceExistsException',
        `A version with VersionId ${versionId} already exists with a different value.`,
      );
    }
    return version;
  }

  /** Adds a version and moves the labels to it; AWSCURRENT's old holder becomes AWSPREVIOUS. */
  private addVersion(
    secret: StoredSecret,
    versionId: string,
    value: SecretValue,
    stages: string[],
    now: number,
  ): StoredVersion {
    const moved = new Set(stages);
    const oldCurrent = moved.has(CURRENT)
      ? secret.versions.find((v) => v.stages.includes(CURRENT))
      : undefined;
    if (oldCurrent && !moved.has(PREVIOUS)) moved.add(PREVIOUS);
    for (const v of secret.versions) v.stages = v.stages.filter((stage) => !moved.has(stage));
    if (oldCurrent && !stages.includes(PREVIOUS)) oldCurrent.stages.push(PREVIOUS);
    const version: StoredVersion = {
      versionId,
      ...value,
      stages: [...new Set(stages)],
      createdDate: now,
    };
    secret.versions.push(version);
    while (secret.versions.length > MAX_VERSIONS) {
      const index = secret.versions.findIndex((v) => v.stages.length === 0);
      if (index < 0) break;
      secret.versions.splice(index, 1);
    }
    secret.lastChangedDate = now;
    this.dirty = true;
    return version;
  }

  /** AWS records the last read day only (midnight UTC), so reads rarely cause a write. */
  private touch(secret: StoredSecret, now: number) {
    const day = Math.floor(now / DAY_SECONDS) * DAY_SECONDS;
    if (secret.lastAccessedDate !== day) {
      secret.lastAccessedDate = day;
      this.dirty = true;
    }
  }

  private purgeExpired(now: number) {
    for (const secret of this.secrets.values()) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
        this.secrets.delete(secret.name);
        this.dirty = true;
      }
    }
  }

  private valueEntry(secret: StoredSecret, version: StoredVersion) {
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined && { SecretString: version.secretString }),
      ...(version.secretBinary !== undefined && { SecretBinary: version.secretBinary }),
      VersionStages: version.stages,
      CreatedDate: version.createdDate,
    };
  }

  private describe(secret: StoredSecret) {
    const labelled = secret.versions.filter((v) => v.stages.length > 0);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined && { Description: secret.description }),
      RotationEnabled: false,
      LastChangedDate: secret.lastChangedDate,
      ...(secret.lastAccessedDate !== undefined && { LastAccessedDate: secret.lastAccessedDate }),
      ...(secret.deletedDate !== undefined && { DeletedDate: secret.deletedDate }),
      Tags: secret.tags,
      VersionIdsToStages: Object.fromEntries(labelled.map((v) => [v.versionId, v.stages])),
      CreatedDate: secret.createdDate,
    };
  }

  // -- persistence -----------------------------------------------------------------------

  /**
   * Queues a write of the current state. The snapshot is taken now, and writes run one
   * after another, so the file always ends with the newest state and never interleaves.
   */
  private persist(): Promise<void> {
    const data: DataFile = { formatVersion: 1, secrets: [...this.secrets.values()] };
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
