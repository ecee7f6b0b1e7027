/** Team secrets: write-only values, listed by name and times only. */
import { conflict, notFound, validationError } from '../errors';
import { parseBody, putSecretSchema, SECRET_NAME_PATTERN } from '../schemas';
import type { SecretInfo } from '../types';
import type { Deps } from './deps';
import { isHeaderValue } from './webhooks';

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) throw validationError('name', 'must match ^[A-Za-z0-9_]{1,64}$');
}

/** `PUT /teams/{team}/secrets/{name}`: 201 when created, 200 when replaced. */
export async function putSecret(deps: Deps<'secrets' | 'webhooks'>, team: string, name: string, body: unknown): Promise<{ created: boolean; info: SecretInfo }> {
  checkName(name);
  const { value } = parseBody(putSecretSchema, body);
  if (!isHeaderValue(value)) {
    // A webhook's access token goes out as a header: a value that cannot would fail every attempt.
    const users = (await deps.webhooks.list(team)).filter((hook) => hook.accessToken === name);
    if (users.length > 0) {
      throw validationError('value', `secret ${name} is the access token of webhook ${users.map((hook) => hook.name).join(', ')} and holds characters not allowed in an HTTP header`);
    }
  }
  return deps.secrets.put(team, name, value);
}

/** `GET /teams/{team}/secrets`. */
export async function listSecrets(deps: Deps<'secrets'>, team: string) {
  return { items: await deps.secrets.list(team) };
}

/** `DELETE /teams/{team}/secrets/{name}`: refused while a webhook uses it. */
export async function deleteSecret(deps: Deps<'secrets' | 'webhooks'>, team: string, name: string): Promise<void> {
  checkName(name);
  const users = (await deps.webhooks.list(team)).filter((hook) => hook.secret === name || hook.accessToken === name);
  if (users.length > 0) {
    throw conflict(`secret ${name} is used by webhook ${users.map((hook) => hook.name).join(', ')}`);
  }
  if (!(await deps.secrets.delete(team, name))) throw notFound('secret');
}
