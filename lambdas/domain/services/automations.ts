/** Automations: a registry event filter → a webhook, with a payload template. */
import { DomainError, notFound, validationError } from '../errors';
import { patternFieldOf, typesWithPattern } from '../event-types';
import { compilePattern } from '../matching';
import { automationPatchSchema, automationSchema, parseBody } from '../schemas';
import { validateTemplate } from '../template';
import type { Automation } from '../types';
import { checkAutomationLimits } from './automation-limits';
import { newId, type Deps } from './deps';

/** Largest accepted template, as JSON text: keeps a delivery record well inside DynamoDB's item limit. */
export const MAX_TEMPLATE_BYTES = 32 * 1024;

/** The automation as the API shows it. */
export function toAutomationResponse({ team: _team, ...rest }: Automation) {
  return rest;
}

async function checkAutomation(deps: Deps<'webhooks'>, automation: Automation): Promise<Automation> {
  const { event, action } = automation;
  for (const field of ['aliasPattern', 'tagPattern'] as const) {
    const pattern = event[field];
    if (pattern === undefined) continue;
    if (patternFieldOf(event.type) !== field) throw validationError(`event.${field}`, `only applies to ${typesWithPattern(field).join(', ')}`);
    const compiled = compilePattern(`event.${field}`, pattern);
    if (!compiled.ok) throw new DomainError('invalid', compiled.message, [{ field: `event.${field}`, message: compiled.message }]);
  }
  const hook = await deps.webhooks.get(automation.team, action.webhookId);
  if (!hook) throw validationError('action.webhookId', `webhook ${action.webhookId} does not exist`);
  const checked = validateTemplate(action.payload, { secretName: hook.secret, hasAccessToken: hook.accessToken !== null });
  if (!checked.ok) {
    // validateTemplate speaks of `payload:` (the test route's field); here the field is action.payload.
    throw validationError('action.payload', checked.message.replace(/^payload: /, ''));
  }
  if (checked.template !== undefined && Buffer.byteLength(JSON.stringify(checked.template)) > MAX_TEMPLATE_BYTES) {
    throw validationError('action.payload', `must be at most ${MAX_TEMPLATE_BYTES} bytes of JSON`);
  }
  const stored: Automation = { ...automation, action: { ...action, payload: checked.template } };
  if (stored.action.payload === undefined) delete stored.action.payload;
  return stored;
}

async function requireAutomation(deps: Deps<'automations'>, team: string, id: string): Promise<Automation> {
  const automation = await deps.automations.get(team, id);
  if (!automation) throw notFound('automation');
  return automation;
}

/** `POST /teams/{team}/automations`. */
export async function createAutomation(deps: Deps<'automations' | 'webhooks' | 'now'>, team: string, body: unknown) {
  const input = parseBody(automationSchema, body);
  const now = deps.now().toISOString();
  const automation = await checkAutomation(deps, { id: newId('au'), team, ...input, createdAt: now, updatedAt: now });
  await checkAutomationLimits(deps, automation);
  await deps.automations.put(automation);
  return toAutomationResponse(automation);
}

/** `GET /teams/{team}/automations`. */
export async function listAutomations(deps: Deps<'automations'>, team: string) {
  return { items: (await deps.automations.list(team)).map(toAutomationResponse) };
}

/** `GET /teams/{team}/automations/{id}`. */
export async function getAutomation(deps: Deps<'automations'>, team: string, id: string) {
  return toAutomationResponse(await requireAutomation(deps, team, id));
}

/**
 * Merges part of a nested object (`event`, `action`) into the stored one: a field given
 * replaces the stored one, `null` removes it, a field left out stays.
 */
function mergeNested<T extends object>(stored: T, patch: Record<string, unknown> | undefined): T {
  if (patch === undefined) return stored;
  const merged: Record<string, unknown> = { ...(stored as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}

/**
 * `PATCH /teams/{team}/automations/{id}`: any field. `event` and `action` are merged into the
 * stored ones (`null` removes one of their optional fields); the result is validated as a
 * whole, as a create would be. `id`, `createdAt` and `updatedAt` are accepted and ignored.
 */
export async function updateAutomation(deps: Deps<'automations' | 'webhooks' | 'now'>, team: string, id: string, body: unknown) {
  const patch = parseBody(automationPatchSchema, body);
  const previous = await requireAutomation(deps, team, id);
  const candidate = {
    name: patch.name ?? previous.name,
    description: patch.description === undefined ? previous.description : (patch.description ?? ''),
    enabled: patch.enabled ?? previous.enabled,
    event: mergeNested(previous.event, patch.event),
    action: mergeNested(previous.action, patch.action),
  };
  // The whole result must pass the create rules. The candidate itself is stored (not the
  // parse output), so a stored value the create schema would read differently stays as it is.
  parseBody(automationSchema, candidate);
  const automation = await checkAutomation(deps, { ...previous, ...candidate, updatedAt: deps.now().toISOString() });
  await checkAutomationLimits(deps, automation, previous);
  await deps.automations.put(automation);
  return toAutomationResponse(automation);
}

/** `DELETE /teams/{team}/automations/{id}`. */
export async function deleteAutomation(deps: Deps<'automations'>, team: string, id: string): Promise<void> {
  if (!(await deps.automations.delete(team, id))) throw notFound('automation');
}

