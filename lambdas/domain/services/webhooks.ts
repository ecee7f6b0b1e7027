/** Webhooks: endpoint URL plus optional signing secret and access token (secret names). */
import { ApiError, notFound, validationError } from '../errors';
import { MissingSecretError, prepareRequest } from '../outgoing';
import { createWebhookSchema, parseBody, testWebhookSchema, updateWebhookSchema } from '../schemas';
import { sampleEvent, validateTemplate } from '../template';
import type { Webhook } from '../types';
import { checkWebhookUrl } from '../url-policy';
import { newId, type ServiceDeps } from './deps';

/** The webhook as the API shows it (no team, no internals). */
export function toWebhookResponse({ id, name, url, secret, accessToken, createdAt, updatedAt }: Webhook) {
  return { id, name, url, secret, accessToken, createdAt, updatedAt };
}

async function checkReferences(deps: ServiceDeps, team: string, hook: Pick<Webhook, 'url' | 'secret' | 'accessToken'>): Promise<string> {
  const url = checkWebhookUrl(hook.url, deps.config.allowHosts);
  if (!url.ok) throw new ApiError('VALIDATION_FAILED', url.message, [{ field: 'url', message: url.message.replace(/^url: /, '') }]);
  for (const field of ['secret', 'accessToken'] as const) {
    const name = hook[field];
    if (name && !(await deps.secrets.exists(team, name))) throw validationError(field, `secret ${name} does not exist`);
  }
  return url.url;
}

/** Loads a webhook of the team or throws 404. */
export async function requireWebhook(deps: ServiceDeps, team: string, id: string): Promise<Webhook> {
  const hook = await deps.webhooks.get(team, id);
  if (!hook) throw notFound('webhook');
  return hook;
}

/** `POST /teams/{team}/webhooks`. */
export async function createWebhook(deps: ServiceDeps, team: string, body: unknown) {
  const input = parseBody(createWebhookSchema, body);
  const url = await checkReferences(deps, team, input);
  const now = deps.now().toISOString();
  const hook: Webhook = { id: newId('wh'), team, ...input, url, createdAt: now, updatedAt: now };
  await deps.webhooks.create(hook);
  return toWebhookResponse(hook);
}

/** `GET /teams/{team}/webhooks`. */
export async function listWebhooks(deps: ServiceDeps, team: string) {
  return { items: (await deps.webhooks.list(team)).map(toWebhookResponse) };
}

/** `PATCH /teams/{team}/webhooks/{id}`: `null` removes the secret or access token. */
export async function updateWebhook(deps: ServiceDeps, team: string, id: string, body: unknown) {
  const patch = parseBody(updateWebhookSchema, body);
  const previous = await requireWebhook(deps, team, id);
  const merged: Webhook = { ...previous, ...definedOnly(patch), updatedAt: deps.now().toISOString() };
  merged.url = await checkReferences(deps, team, merged);
  await deps.webhooks.update(previous, merged);
  return toWebhookResponse(merged);
}

/** `DELETE /teams/{team}/webhooks/{id}`: refused while an automation uses it. */
export async function deleteWebhook(deps: ServiceDeps, team: string, id: string): Promise<void> {
  const hook = await requireWebhook(deps, team, id);
  if (await deps.automations.isWebhookInUse(team, id)) throw new ApiError('CONFLICT', `webhook ${hook.name} is used by an automation`);
  await deps.webhooks.delete(hook);
}

/** `POST /teams/{team}/webhooks/{id}/test`: one signed POST, stored nowhere. */
export async function testWebhook(deps: ServiceDeps, team: string, id: string, body: unknown) {
  const { payload } = parseBody(testWebhookSchema, body);
  const hook = await requireWebhook(deps, team, id);
  const checked = validateTemplate(payload, { secretName: hook.secret, hasAccessToken: hook.accessToken !== null });
  if (!checked.ok) throw new ApiError('VALIDATION_FAILED', checked.message, [{ field: 'payload', message: checked.message }]);
  try {
    const { request } = await prepareRequest(deps.secrets, hook, checked.template, sampleEvent(), newId('test'), deps.config.userAgent);
    const result = await deps.sender.send(request);
    return { ok: result.ok, status: result.status, durationMs: result.durationMs, responseBody: result.responseBody, error: result.error };
  } catch (error) {
    if (error instanceof MissingSecretError) return { ok: false, status: null, durationMs: 0, responseBody: '', error: error.message };
    throw error;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
