/**
 * Matching an event against an automation's filters (lambdas/domain/matching.ts). Which
 * automations are candidates at all (the store's index on team, type and collection) is the
 * contract suite's part: test/integration/contract/automation-store.contract.test.ts.
 */
import { automationMatches, compilePattern } from '../../lambdas/domain/matching';
import type { Automation, AutomationEventFilter, RegistryEvent } from '../../lambdas/domain/types';

function automation(filter: AutomationEventFilter, enabled = true): Automation {
  return {
    id: 'a1',
    team: 'acme',
    name: 'n',
    description: '',
    enabled,
    event: filter,
    action: { type: 'WEBHOOK', webhookId: 'w1' },
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function event(overrides: Partial<RegistryEvent> = {}, collection = 'churn-model'): RegistryEvent {
  return {
    id: 'e1',
    type: 'LINK_ARTIFACT',
    author: 'alice',
    entity: 'acme',
    project: 'p',
    artifact: { collection, version: 'v', versionString: 'acme/p/churn-model:v3', metadata: {} },
    alias: null,
    tag: null,
    ...overrides,
  };
}

const aliasEvent = (alias: string | null): RegistryEvent => event({ type: 'ADD_ARTIFACT_ALIAS', alias });
const tagEvent = (tag: string | null): RegistryEvent => event({ type: 'ADD_ARTIFACT_TAG', tag });

describe('automationMatches', () => {
  it.each<[string, Automation, RegistryEvent, boolean]>([
    ['same type, no filters', automation({ type: 'LINK_ARTIFACT' }), event(), true],
    ['disabled', automation({ type: 'LINK_ARTIFACT' }, false), event(), false],
    ['other type', automation({ type: 'UNLINK_ARTIFACT' }), event(), false],
    ['collection equal', automation({ type: 'LINK_ARTIFACT', collection: 'churn-model' }), event(), true],
    ['collection differs', automation({ type: 'LINK_ARTIFACT', collection: 'other' }), event(), false],
    ['collection is exact, not a pattern', automation({ type: 'LINK_ARTIFACT', collection: 'churn' }), event(), false],
    ['alias pattern matches', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod' }), aliasEvent('production'), true],
    ['alias pattern search semantics', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: 'duct' }), aliasEvent('production'), true],
    ['alias pattern anchored', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod$' }), aliasEvent('production'), false],
    ['alias pattern misses', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^staging$' }), aliasEvent('production'), false],
    ['alias pattern, null alias', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '.*' }), aliasEvent(null), false],
    ['no alias pattern, null alias', automation({ type: 'ADD_ARTIFACT_ALIAS' }), aliasEvent(null), true],
    ['empty alias pattern matches any alias', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '' }), aliasEvent('x'), true],
    ['alias pattern + collection both pass', automation({ type: 'ADD_ARTIFACT_ALIAS', collection: 'churn-model', aliasPattern: 'prod' }), aliasEvent('prod'), true],
    ['alias pattern passes, collection fails', automation({ type: 'ADD_ARTIFACT_ALIAS', collection: 'x', aliasPattern: 'prod' }), aliasEvent('prod'), false],
    ['tag pattern ignored for alias events', automation({ type: 'ADD_ARTIFACT_ALIAS', tagPattern: '^never$' }), aliasEvent('prod'), true],
    ['tag pattern matches', automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: '^release-v\\d+$' }), tagEvent('release-v12'), true],
    ['tag pattern misses', automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: '^release-v\\d+$' }), tagEvent('release-vX'), false],
    ['tag pattern, null tag', automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: 'x' }), tagEvent(null), false],
    ['alias pattern ignored for tag events', automation({ type: 'ADD_ARTIFACT_TAG', aliasPattern: '^never$' }), tagEvent('t'), true],
    ['alias pattern ignored for link events', automation({ type: 'LINK_ARTIFACT', aliasPattern: '^never$' }), event({ alias: 'prod' }), true],
    ['project equal', automation({ type: 'LINK_ARTIFACT', project: 'p' }), event(), true],
    ['project differs', automation({ type: 'LINK_ARTIFACT', project: 'other' }), event(), false],
    ['project filter, report without a project', automation({ type: 'LINK_ARTIFACT', project: 'p' }), event({ project: '' }), false],
    ['project and collection both pass', automation({ type: 'LINK_ARTIFACT', project: 'p', collection: 'churn-model' }), event(), true],
    ['project passes, collection fails', automation({ type: 'LINK_ARTIFACT', project: 'p', collection: 'x' }), event(), false],
    ['collection passes, project fails', automation({ type: 'LINK_ARTIFACT', project: 'x', collection: 'churn-model' }), event(), false],
    ['CREATE_ARTIFACT', automation({ type: 'CREATE_ARTIFACT', collection: 'churn-model' }), event({ type: 'CREATE_ARTIFACT' }), true],
    ...(['REMOVE_ARTIFACT_TAG', 'ADD_COLLECTION_TAG', 'REMOVE_COLLECTION_TAG'] as const).flatMap((type): Array<[string, Automation, RegistryEvent, boolean]> => [
      [`${type}: tag pattern matches`, automation({ type, tagPattern: '^gold$' }), event({ type, tag: 'gold' }), true],
      [`${type}: tag pattern misses`, automation({ type, tagPattern: '^gold$' }), event({ type, tag: 'golden' }), false],
      [`${type}: tag pattern, null tag`, automation({ type, tagPattern: '' }), event({ type, tag: null }), false],
      [`${type}: alias pattern ignored`, automation({ type, aliasPattern: '^never$' }), event({ type, tag: 'gold', alias: 'x' }), true],
    ]),
    ['collection tag event does not match the version tag type', automation({ type: 'ADD_ARTIFACT_TAG' }), event({ type: 'ADD_COLLECTION_TAG', tag: 'gold' }), false],
    ['case sensitive by default', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^PROD$' }), aliasEvent('prod'), false],
    ['inline case-insensitive flag', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(?i)^PROD$' }), aliasEvent('prod'), true],
    ['unicode alias', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^modèle-\\p{Han}+$' }), aliasEvent('modèle-日本'), true],
    ['invalid stored pattern matches nothing', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(' }), aliasEvent('('), false],
    ['lookahead stored pattern matches nothing', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(?=p)' }), aliasEvent('p'), false],
    ['over-long stored pattern matches nothing', automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: 'a'.repeat(257) }), aliasEvent('a'.repeat(257)), false],
  ])('%s', (_name, a, e, expected) => {
    expect(automationMatches(a, e)).toBe(expected);
    // A second call goes through the cache and must agree.
    expect(automationMatches(a, e)).toBe(expected);
  });

  it('finishes a catastrophic-backtracking pattern (linear time)', () => {
    const a = automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(a+)+$' });
    // A backtracking engine takes exponential time here; RE2 returns at once.
    expect(automationMatches(a, aliasEvent('a'.repeat(5000) + '!'))).toBe(false);
    expect(automationMatches(a, aliasEvent('a'.repeat(5000)))).toBe(true);
  });

  it('finishes an anchored catastrophic-backtracking pattern that fails', () => {
    const a = automation({ type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^(a+)+$' });
    expect(automationMatches(a, aliasEvent('a'.repeat(5000) + '!'))).toBe(false);
  });

  it('stays correct after more distinct patterns than the cache holds', () => {
    for (let i = 0; i < 600; i++) {
      const a = automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: `^t${i}$` });
      expect(automationMatches(a, tagEvent(`t${i}`))).toBe(true);
    }
    expect(automationMatches(automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: '^t0$' }), tagEvent('t0'))).toBe(true);
    expect(automationMatches(automation({ type: 'ADD_ARTIFACT_TAG', tagPattern: '^t0$' }), tagEvent('t1'))).toBe(false);
  });
});

describe('compilePattern', () => {
  it.each(['^prod$', 'prod|staging', '^release-v\\d+(\\.\\d+)*$', '(?i)candidate', '', '\\p{Greek}', '(a+)+$', 'a{1000}'])(
    'accepts %j',
    (pattern) => {
      expect(compilePattern('event.aliasPattern', pattern)).toEqual({ ok: true });
    },
  );

  it('accepts a pattern of exactly 256 characters', () => {
    expect(compilePattern('event.aliasPattern', 'a'.repeat(256))).toEqual({ ok: true });
  });

  it.each<[string, string, RegExp]>([
    ['unbalanced paren', '(', /missing closing \)/],
    ['bad class range', '[z-a]', /invalid character class range/],
    ['lookahead', '(?=prod)', /unsupported Perl syntax/],
    ['negative lookahead', '^(?!dev)', /unsupported Perl syntax/],
    ['lookbehind', '(?<=v)\\d', /invalid/],
    ['negative lookbehind', '(?<!v)\\d', /invalid/],
    ['backreference', '(a)\\1', /invalid escape sequence/],
    ['huge repeat', 'a{1001}', /invalid repeat count/],
    ['nested huge repeat', '(a{1000}){1000}', /invalid repeat count/],
    ['dangling quantifier', '*a', /missing argument to repetition operator/],
    ['too long', 'a'.repeat(257), /longer than 256 characters/],
    ['too complex (huge compiled program)', '[\\s\\S]{1000}'.repeat(20), /too complex/],
  ])('rejects %s', (_name, pattern, reason) => {
    const result = compilePattern('event.tagPattern', pattern);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(/^event\.tagPattern: invalid regular expression \(.+\)$/);
      expect(result.message).toMatch(reason);
    }
  });
});
