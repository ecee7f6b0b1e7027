/**
 * API keys: random 256-bit tokens shown once; only their SHA-256 hash is stored, so a leaked
 * table does not leak working keys. A plain hash (no salt/stretching) is right here because
 * the keys are high-entropy random strings, not passwords.
 */
import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../errors';
import { createKeySchema, parseBody } from '../schemas';
import type { ApiKeyRecord } from '../types';
import { newId, type Deps } from './deps';

/** Which strings can be API keys at all (also what `LOCAL_ADMIN_KEY` accepts). */
export const API_KEY_PATTERN = /^[A-Za-z0-9_-]{20,200}$/;

/** A fresh API key: `rwk_` + 43 base64url characters (256 random bits). */
export function generateApiKey(): string {
  return `rwk_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Looks up the key in an `Authorization: Bearer …` header value; undefined if unknown. */
export async function authenticate(deps: Deps<'keys'>, authorization: string | undefined): Promise<ApiKeyRecord | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match || !API_KEY_PATTERN.test(match[1])) return undefined;
  return deps.keys.findByHash(hashApiKey(match[1]));
}

/** Stores a key (given or generated) for a team and returns it with its record. */
export async function issueKey(
  deps: Deps<'keys' | 'now'>,
  team: string,
  role: ApiKeyRecord['role'],
  name: string,
  key: string = generateApiKey(),
): Promise<{ record: ApiKeyRecord; key: string }> {
  const record: ApiKeyRecord = { id: newId('key'), team, role, name, createdAt: deps.now().toISOString() };
  await deps.keys.create(record, hashApiKey(key));
  return { record, key };
}

/** `POST /teams/{team}/keys`. */
export async function createKey(deps: Deps<'keys' | 'now'>, team: string, body: unknown) {
  const input = parseBody(createKeySchema, body);
  const { record, key } = await issueKey(deps, team, input.role, input.name);
  return { id: record.id, name: record.name, role: record.role, key, createdAt: record.createdAt };
}

/** `GET /teams/{team}/keys`. */
export async function listKeys(deps: Deps<'keys'>, team: string) {
  const records = await deps.keys.listByTeam(team);
  return { items: records.map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt })) };
}

/** `DELETE /teams/{team}/keys/{id}`. */
export async function deleteKey(deps: Deps<'keys'>, team: string, id: string): Promise<void> {
  if (!(await deps.keys.delete(team, id))) throw notFound('key');
}
