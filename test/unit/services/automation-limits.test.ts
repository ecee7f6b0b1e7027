/**
 * Per-team limits on enabled automations sharing one filter (event type, registry filter, model
 * filter: lambdas/domain/services/automation-limits.ts), through the automations service on the
 * in-memory ports: the fan-out and the pattern cost, enforced on create and on a PATCH that
 * adds to them, never on one that does not; each refusal a conflict that stores nothing. An
 * event then triggers at most four filters' worth.
 */
import {
  MAX_AUTOMATIONS_PER_FILTER,
  MAX_DELIVERIES_PER_EVENT,
  MAX_PATTERN_COST_PER_FILTER,
} from '../../../lambdas/domain/services/automation-limits';
import { createAutomation, updateAutomation } from '../../../lambdas/domain/services/automations';
import { reportEvent } from '../../../lambdas/domain/services/events';
import { patternCost } from '../../../lambdas/domain/matching';
import type { Automation } from '../../../lambdas/domain/types';
import { inMemoryDeps, sampleEvent, seedWebhook, type InMemoryDeps } from '../support/in-memory-deps';
import { expectRefusedWithoutChange, seedAutomation, TEAM } from './fixtures';

const action = { type: 'WEBHOOK', webhookId: 'wh_1' };

async function setup(): Promise<InMemoryDeps> {
  const deps = inMemoryDeps();
  await seedWebhook(deps);
  return deps;
}

/** Fills one filter (`event`) with enabled automations `<prefix>_0…`, plus a disabled one `<prefix>_off`. */
async function fill(deps: InMemoryDeps, prefix: string, event: Automation['event']): Promise<void> {
  for (let index = 0; index < MAX_AUTOMATIONS_PER_FILTER; index++) await seedAutomation(deps, `${prefix}_${index}`, { event });
  await seedAutomation(deps, `${prefix}_off`, { enabled: false, event });
}

describe(`at most ${MAX_AUTOMATIONS_PER_FILTER} enabled automations per event type, registry filter and model filter`, () => {
  test('one more on a full filter is a conflict naming it, and nothing is stored', async () => {
    const deps = await setup();
    await fill(deps, 'au', { type: 'LINK_ARTIFACT', collection: 'churn' });
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, { name: 'one-more', event: { type: 'LINK_ARTIFACT', collection: 'churn' }, action }), {
      kind: 'conflict', message: expect.stringContaining(`on LINK_ARTIFACT of model churn in any registry; at most ${MAX_AUTOMATIONS_PER_FILTER} may share`),
    });
  });

  test('another model, registry or type, or a disabled one, is still accepted', async () => {
    const deps = await setup();
    await fill(deps, 'au', { type: 'LINK_ARTIFACT', collection: 'churn' });
    for (const event of [{ type: 'LINK_ARTIFACT', collection: 'other' }, { type: 'LINK_ARTIFACT' }, { type: 'LINK_ARTIFACT', collection: 'churn', project: 'reg' }, { type: 'UNLINK_ARTIFACT', collection: 'churn' }]) {
      expect((await createAutomation(deps, TEAM, { name: `ok-${JSON.stringify(event)}`, event, action })).event).toEqual(event);
    }
    expect((await createAutomation(deps, TEAM, { name: 'off', enabled: false, event: { type: 'LINK_ARTIFACT', collection: 'churn' }, action })).enabled).toBe(false);
  });

  test('enabling a disabled one, or moving one onto the full filter, is refused; a rename or a move away is not', async () => {
    const deps = await setup();
    await fill(deps, 'au', { type: 'LINK_ARTIFACT' });
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_off', { enabled: true }), { kind: 'conflict' });
    await seedAutomation(deps, 'au_scoped', { event: { type: 'LINK_ARTIFACT', collection: 'churn' } });
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_scoped', { event: { collection: null } }), { kind: 'conflict' });
    expect((await updateAutomation(deps, TEAM, 'au_7', { name: 'renamed' })).name).toBe('renamed');
    expect((await updateAutomation(deps, TEAM, 'au_8', { event: { collection: 'elsewhere' } })).event.collection).toBe('elsewhere');
    // au_8 left: there is room again.
    expect((await updateAutomation(deps, TEAM, 'au_off', { enabled: true })).enabled).toBe(true);
  });

  test(`an event matching four full filters makes ${MAX_DELIVERIES_PER_EVENT} deliveries, the most there can be`, async () => {
    const deps = await setup();
    const event = sampleEvent('evt-wide');
    const { project, artifact: { collection } } = event;
    await fill(deps, 'any', { type: event.type });
    await fill(deps, 'model', { type: event.type, collection });
    await fill(deps, 'reg', { type: event.type, project });
    await fill(deps, 'both', { type: event.type, project, collection });
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, { name: 'fifth', event: { type: event.type, project, collection }, action }), { kind: 'conflict' });
    const answer = await reportEvent(deps, TEAM, event);
    expect(answer.body.deliveries).toHaveLength(MAX_DELIVERIES_PER_EVENT);
  });
});

describe(`pattern cost: at most ${MAX_PATTERN_COST_PER_FILTER} instructions per filter`, () => {
  /** A distinct alias pattern. */
  const pattern = (index: number, width = 200) => `^${index}-[a-z]{0,${width}}$`;

  /** Enabled ADD_ARTIFACT_ALIAS automations (any model, any registry) whose patterns cost just under the budget. */
  async function nearlyFull(deps: InMemoryDeps): Promise<void> {
    let total = 0;
    for (let index = 0; total + patternCost(pattern(index)) <= MAX_PATTERN_COST_PER_FILTER; index++) {
      total += patternCost(pattern(index));
      await seedAutomation(deps, `au_${index}`, { event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: pattern(index) } });
    }
  }

  test('the pattern cost is the compiled program size; none or an invalid one costs 0', () => {
    expect(patternCost(undefined)).toBe(0);
    expect(patternCost('(?=x)')).toBe(0);
    expect(patternCost(pattern(1, 200))).toBeGreaterThan(patternCost(pattern(1, 20)));
  });

  test('a pattern past the budget is a conflict; a simple one within what is left is accepted', async () => {
    const deps = await setup();
    await nearlyFull(deps);
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, { name: 'costly', event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: pattern(9999) }, action }), {
      kind: 'conflict', message: expect.stringContaining(`the limit is ${MAX_PATTERN_COST_PER_FILTER}`),
    });
    expect((await createAutomation(deps, TEAM, { name: 'cheap', event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod$' }, action })).event.aliasPattern).toBe('^prod$');
  });

  test('other filters have their own budget; no pattern costs nothing', async () => {
    const deps = await setup();
    await nearlyFull(deps);
    expect((await createAutomation(deps, TEAM, { name: 'model', event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'churn', aliasPattern: pattern(9999) }, action })).name).toBe('model');
    expect((await createAutomation(deps, TEAM, { name: 'tags', event: { type: 'ADD_ARTIFACT_TAG', tagPattern: pattern(9999) }, action })).name).toBe('tags');
    expect((await createAutomation(deps, TEAM, { name: 'any-alias', event: { type: 'ADD_ARTIFACT_ALIAS' }, action })).name).toBe('any-alias');
  });

  test('a PATCH to a costlier pattern is refused, to a cheaper one accepted', async () => {
    const deps = await setup();
    await nearlyFull(deps);
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_0', { event: { aliasPattern: `${pattern(0)}|${pattern(1)}|${pattern(2)}` } }), { kind: 'conflict' });
    expect((await updateAutomation(deps, TEAM, 'au_0', { event: { aliasPattern: '^v1$' } })).event.aliasPattern).toBe('^v1$');
  });
});
