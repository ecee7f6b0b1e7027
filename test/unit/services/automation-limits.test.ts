/**
 * Per-team limits on enabled automations (lambdas/domain/services/automation-limits.ts), through
 * the automations service on the in-memory ports: the fan-out of one event type and the total
 * pattern cost, enforced on create and on a PATCH that adds to them, never on one that does not;
 * each refusal a conflict that stores nothing.
 */
import { MAX_ENABLED_AUTOMATIONS_PER_TYPE, MAX_PATTERN_COST_PER_TYPE } from '../../../lambdas/domain/services/automation-limits';
import { createAutomation, updateAutomation } from '../../../lambdas/domain/services/automations';
import { patternCost } from '../../../lambdas/domain/matching';
import { inMemoryDeps, seedWebhook, type InMemoryDeps } from '../support/in-memory-deps';
import { expectRefusedWithoutChange, seedAutomation, TEAM } from './fixtures';

const action = { type: 'WEBHOOK', webhookId: 'wh_1' };

async function setup(): Promise<InMemoryDeps> {
  const deps = inMemoryDeps();
  await seedWebhook(deps);
  return deps;
}

describe(`at most ${MAX_ENABLED_AUTOMATIONS_PER_TYPE} enabled automations per team and event type`, () => {
  async function full(): Promise<InMemoryDeps> {
    const deps = await setup();
    for (let index = 0; index < MAX_ENABLED_AUTOMATIONS_PER_TYPE; index++) await seedAutomation(deps, `au_${index}`, { event: { type: 'LINK_ARTIFACT', collection: `model-${index % 10}` } });
    await seedAutomation(deps, 'au_off', { enabled: false });
    return deps;
  }

  test('one more enabled one of that type is a conflict naming the limit, and nothing is stored', async () => {
    const deps = await full();
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, { name: 'one-more', event: { type: 'LINK_ARTIFACT', collection: 'other' }, action }), {
      kind: 'conflict', message: expect.stringContaining(`at most ${MAX_ENABLED_AUTOMATIONS_PER_TYPE} may be enabled per event type`),
    });
  });

  test('a disabled one, or one of another type, is still accepted', async () => {
    const deps = await full();
    expect((await createAutomation(deps, TEAM, { name: 'off', enabled: false, event: { type: 'LINK_ARTIFACT' }, action })).enabled).toBe(false);
    expect((await createAutomation(deps, TEAM, { name: 'other-type', event: { type: 'UNLINK_ARTIFACT' }, action })).event.type).toBe('UNLINK_ARTIFACT');
  });

  test('enabling a disabled one, or moving one to the full type, is refused; a rename of an enabled one is not', async () => {
    const deps = await full();
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_off', { enabled: true }), { kind: 'conflict' });
    await seedAutomation(deps, 'au_unlink', { event: { type: 'UNLINK_ARTIFACT' } });
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_unlink', { event: { type: 'LINK_ARTIFACT' } }), { kind: 'conflict' });
    expect((await updateAutomation(deps, TEAM, 'au_7', { name: 'renamed', event: { collection: 'moved' } })).name).toBe('renamed');
  });

  test('after one is disabled, another may be enabled', async () => {
    const deps = await full();
    await updateAutomation(deps, TEAM, 'au_0', { enabled: false });
    expect((await updateAutomation(deps, TEAM, 'au_off', { enabled: true })).enabled).toBe(true);
  });
});

describe(`pattern cost: at most ${MAX_PATTERN_COST_PER_TYPE} instructions per team and event type`, () => {
  /** A distinct alias pattern and its cost. */
  const pattern = (index: number, width = 200) => `^${index}-[a-z]{0,${width}}$`;

  /** Enabled ADD_ARTIFACT_ALIAS automations whose patterns cost just under the budget; returns the room left. */
  async function nearlyFull(deps: InMemoryDeps): Promise<number> {
    let total = 0;
    for (let index = 0; total + patternCost(pattern(index)) <= MAX_PATTERN_COST_PER_TYPE; index++) {
      total += patternCost(pattern(index));
      await seedAutomation(deps, `au_${index}`, { event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: pattern(index) } });
    }
    return MAX_PATTERN_COST_PER_TYPE - total;
  }

  test('the pattern cost is the compiled program size; none or an invalid one costs 0', () => {
    expect(patternCost(undefined)).toBe(0);
    expect(patternCost('(?=x)')).toBe(0);
    expect(patternCost(pattern(1, 200))).toBeGreaterThan(patternCost(pattern(1, 20)));
  });

  test('a pattern past the budget is a conflict; one within what is left is accepted', async () => {
    const deps = await setup();
    const room = await nearlyFull(deps);
    const fits = '^prod$';
    expect(patternCost(fits)).toBeLessThanOrEqual(room);
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, { name: 'costly', event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: pattern(9999) }, action }), {
      kind: 'conflict', message: expect.stringContaining(`the limit is ${MAX_PATTERN_COST_PER_TYPE}`),
    });
    expect((await createAutomation(deps, TEAM, { name: 'cheap', event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: fits }, action })).event.aliasPattern).toBe(fits);
  });

  test('tag patterns count per tag event type; other types and no pattern cost nothing', async () => {
    const deps = await setup();
    await nearlyFull(deps);
    expect((await createAutomation(deps, TEAM, { name: 'tags', event: { type: 'ADD_ARTIFACT_TAG', tagPattern: pattern(9999) }, action })).event.tagPattern).toBe(pattern(9999));
    expect((await createAutomation(deps, TEAM, { name: 'any-alias', event: { type: 'ADD_ARTIFACT_ALIAS' }, action })).name).toBe('any-alias');
  });

  test('a PATCH to a costlier pattern is refused, to a cheaper one accepted', async () => {
    const deps = await setup();
    await nearlyFull(deps);
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_0', { event: { aliasPattern: `${pattern(0)}|${pattern(1, 40)}` } }), { kind: 'conflict' });
    expect((await updateAutomation(deps, TEAM, 'au_0', { event: { aliasPattern: '^v1$' } })).event.aliasPattern).toBe('^v1$');
  });
});
