/**
 * Shared by the service tests of this folder: automation records put straight into the store
 * (bypassing the service's checks, to set up what an event report finds), a view of everything
 * a team has stored, and the "refused, and nothing changed" check every refusal test makes.
 */
import type { Automation } from '../../../lambdas/domain/types';
import type { InMemoryDeps } from '../support/in-memory-deps';

/** The team every test acts for. */
export const TEAM = 'demo';

/** An automation as the store holds it: enabled, LINK_ARTIFACT of any collection, to webhook wh_1. */
export function automationRecord(deps: InMemoryDeps, id: string, overrides: Partial<Automation> = {}): Automation {
  const at = deps.now().toISOString();
  return {
    id,
    team: TEAM,
    name: id,
    description: '',
    enabled: true,
    event: { type: 'LINK_ARTIFACT' },
    action: { type: 'WEBHOOK', webhookId: 'wh_1' },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** Puts {@link automationRecord} into the store; returns it. */
export async function seedAutomation(deps: InMemoryDeps, id: string, overrides: Partial<Automation> = {}): Promise<Automation> {
  const automation = automationRecord(deps, id, overrides);
  await deps.automations.put(automation);
  return automation;
}

/** Everything the team has stored (with the records of `eventIds`), and every message queued. */
export async function storeContents(deps: InMemoryDeps, eventIds: readonly string[] = []) {
  return {
    webhooks: await deps.webhooks.list(TEAM),
    automations: await deps.automations.list(TEAM),
    secrets: await deps.secrets.list(TEAM),
    deliveries: (await deps.deliveries.list({ team: TEAM, limit: 1000 })).items,
    deliveryCount: deps.deliveries.size,
    events: await deps.events.getMany(TEAM, eventIds),
    queued: [...deps.queue.sent],
  };
}

/** Expects `action` to be refused with an error matching `expected`, leaving every store as it was. */
export async function expectRefusedWithoutChange(
  deps: InMemoryDeps,
  action: () => Promise<unknown>,
  expected: Record<string, unknown>,
  eventIds: readonly string[] = [],
): Promise<void> {
  const before = await storeContents(deps, eventIds);
  await expect(action()).rejects.toMatchObject(expected);
  expect(await storeContents(deps, eventIds)).toEqual(before);
}
