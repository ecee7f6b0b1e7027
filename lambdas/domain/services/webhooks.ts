/** Webhooks: endpoint URL plus optional signing secret and access token (secret names). */
import { describeFailure } from '../attempt-failure';
import { conflict, DomainError, notFound, validationError } from '../errors';
import { MissingSecretError, prepareRequest } from '../outgoing';
import { createWebhookSchema, parseBody, testWebhookSchema, updateWebhookSchema } from '../schemas';
import { sampleEvent, validateTemplate } from '../template';
import { HEALTHY, type Webhook, type WebhookHealth } from '../types';
import { checkWebhookUrl } from '../url-policy';
import { newId, type Deps } from './deps';

/** The webhook as the API shows it (no team, no internals). */
export function toWebhookResponse({ id, name, url, secret, accessToken, rateLimit, headers, createdAt, updatedAt, health }: Webhook) {
  const { enabled, disabledReason, disabledAt, failingSince } = health;
  return { id, name, url, secret, accessToken, enabled, disabledReason, disabledAt, failingSince, rateLimit, headers: { ...headers }, createdAt, updatedAt };
}

/** Why a webhook an admin disabled is disabled. */
export const DISABLED_BY_ADMIN = 'disabled by an admin';

/** Health after an admin sets `enabled`: enabling starts afresh; disabling says who did it. */
function healthSetByAdmin(enabled: boolean, at: string): WebhookHealth {
  return enabled ? { ...HEALTHY } : { ...HEALTHY, enabled: false, disabledReason: DISABLED_BY_ADMIN, disabledAt: at };
}

/**
 * Characters an HTTP header value may hold (what Node's http module accepts: tab, visible
 * ASCII, space and the Latin-1 range). An access token goes out as `Authorization: Bearer …`.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether `value` can be sent in an HTTP header (as an access token must be). */
export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** Characters that would make the stored URL differ from what its parser reads. */
const URL_INVISIBLES = /[\u0000-\u0020\u007f]/;

/**
 * Checks the URL and the named secrets; `checkAccessTokenValue` also reads the access token's
 * value, which must fit in an HTTP header (otherwise every attempt would fail).
 *
 * The URL is stored exactly as the caller sent it, not as the normalised form the check
 * parsed: the sender parses the same string with the same WHATWG parser at send time, so it
 * addresses exactly the host checked here, and the delivery-time guard checks every resolved
 * address again anyway. Nothing is weakened; the caller just gets back what they wrote. Only
 * whitespace and control characters (which the parser silently drops or trims) are refused,
 * so the stored string never reads differently from what is parsed.
 */
async function checkReferences(
  deps: Deps<'secrets' | 'config'>,
  team: string,
  hook: Pick<Webhook, 'url' | 'secret' | 'accessToken'>,
  checkAccessTokenValue: boolean,
): Promise<void> {
  const url = checkWebhookUrl(hook.url, deps.config.allowHosts);
  if (!url.ok) throw new DomainError('invalid', url.message, [{ field: 'url', message: url.message.replace(/^url: /, '') }]);
  if (URL_INVISIBLES.test(hook.url)) throw validationError('url', 'must not contain whitespace or control characters');
  for (const field of ['secret', 'accessToken'] as const) {
    const name = hook[field];
    if (name && !(await deps.secrets.exists(team, name))) throw validationError(field, `secret ${name} does not exist`);
  }
  if (checkAccessTokenValue && hook.accessToken) {
    // The signing secret may hold anything: it only feeds the HMAC. Never name the value.
    const value = await deps.secrets.getValue(team, hook.accessToken);
    if (value === undefined) throw validationError('accessToken', `secret ${hook.accessToken} does not exist`);
    if (!isHeaderValue(value)) {
      throw validationError('accessToken', `secret ${hook.accessToken} holds characters not allowed in an HTTP header`);
    }
  }
}

/** Loads a webhook of the team or throws 404. */
export async function requireWebhook(deps: Deps<'webhooks'>, team: string, id: string): Promise<Webhook> {
  const hook = await deps.webhooks.get(team, id);
  if (!hook) throw notFound('webhook');
  return hook;
}

/** `POST /teams/{team}/webhooks`. */
export async function createWebhook(deps: Deps<'webhooks' | 'secrets' | 'config' | 'now'>, team: string, body: unknown) {
  const { enabled, ...input } = parseBody(createWebhookSchema, body);
  await checkReferences(deps, team, input, true);
  const now = deps.now().toISOString();
  const hook: Webhook = { id: newId('wh'), team, ...input, createdAt: now, updatedAt: now, health: healthSetByAdmin(enabled ?? true, now) };
  await deps.webhooks.create(hook);
  return toWebhookResponse(hook);
}

/** `GET /teams/{team}/webhooks`. */
export async function listWebhooks(deps: Deps<'webhooks'>, team: string) {
  return { items: (await deps.webhooks.list(team)).map(toWebhookResponse) };
}

/**
 * `PATCH /teams/{team}/webhooks/{id}`: `null` removes the secret or access token; `id`,
 * `createdAt`, `updatedAt` and the health fields are accepted and ignored. The access token's
 * value is checked when the patch names the access token (a patch fixing the URL is not held up
 * by it). `enabled: true` on a disabled webhook re-enables it (clearing `disabledReason`,
 * `disabledAt` and `failingSince`); `enabled: false` disables it. Either change is notified.
 */
export async function updateWebhook(deps: Deps<'webhooks' | 'secrets' | 'notifier' | 'config' | 'now'>, team: string, id: string, body: unknown) {
  const { enabled, ...patch } = parseBody(updateWebhookSchema, body);
  const previous = await requireWebhook(deps, team, id);
  const now = deps.now().toISOString();
  const changesEnabled = typeof enabled === 'boolean' && enabled !== previous.health.enabled;
  const health = changesEnabled ? healthSetByAdmin(enabled, now) : previous.health;
  const merged: Webhook = { ...previous, ...definedOnly(patch), updatedAt: now, health };
  await checkReferences(deps, team, merged, typeof patch.accessToken === 'string');
  await deps.webhooks.update(previous, merged);
  if (changesEnabled) await (enabled ? deps.notifier.webhookEnabled(merged) : deps.notifier.webhookDisabled(merged, DISABLED_BY_ADMIN));
  return toWebhookResponse(merged);
}

/** `DELETE /teams/{team}/webhooks/{id}`: refused while an automation uses it. */
export async function deleteWebhook(deps: Deps<'webhooks' | 'automations'>, team: string, id: string): Promise<void> {
  const hook = await requireWebhook(deps, team, id);
  if (await deps.automations.isWebhookInUse(team, id)) throw conflict(`webhook ${hook.name} is used by an automation`);
  await deps.webhooks.delete(hook);
}

/** `POST /teams/{team}/webhooks/{id}/test`: one signed POST, stored nowhere. */
export async function testWebhook(deps: Deps<'webhooks' | 'secrets' | 'sender' | 'config' | 'now'>, team: string, id: string, body: unknown) {
  const { payload } = parseBody(testWebhookSchema, body);
  const hook = await requireWebhook(deps, team, id);
  const checked = validateTemplate(payload, { secretName: hook.secret, hasAccessToken: hook.accessToken !== null });
  if (!checked.ok) throw new DomainError('invalid', checked.message, [{ field: 'payload', message: checked.message }]);
  try {
    const prepared = await prepareRequest(deps, hook, checked.template, sampleEvent(), newId('test'));
    const result = await deps.sender.send(prepared.signedAt(deps.now()));
    return { ok: result.ok, status: result.status, durationMs: result.durationMs, responseBody: result.responseBody, error: result.ok ? null : describeFailure(result.failure) };
  } catch (error) {
    if (error instanceof MissingSecretError) return { ok: false, status: null, durationMs: 0, responseBody: '', error: error.message };
    throw error;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
