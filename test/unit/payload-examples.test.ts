/**
 * The payload examples (lambdas/domain/payload-examples.ts): each is accepted as an
 * automation's payload as it is, and renders — for every event type, with empty and with the
 * longest values an event may hold — to the JSON its service documents (test/shared/service-payloads.ts).
 */
import { listPayloadExamples, PAYLOAD_EXAMPLES } from '../../lambdas/domain/payload-examples';
import { eventSchema, parseBody } from '../../lambdas/domain/schemas';
import { createAutomation } from '../../lambdas/domain/services/automations';
import { renderBody, validateTemplate } from '../../lambdas/domain/template';
import { EVENT_TYPES, type RegistryEvent } from '../../lambdas/domain/types';
import { githubRepositoryDispatchProblems, SERVICE_CHECKS, slackMessageProblems, teamsMessageProblems } from '../shared/service-payloads';
import { inMemoryDeps, seedWebhook } from './support/in-memory-deps';

const NO_SECRETS = { accessToken: null, secretName: null, secretValue: null };

/** A parsed report of `type` (as the events route would store it). */
function event(type: string, overrides: Record<string, unknown> = {}): RegistryEvent {
  return parseBody(eventSchema, {
    id: `evt-${type}`, type, author: 'alice', entity: 'acme', project: 'model-registry',
    artifact: { collection: 'churn-model', version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz', versionString: 'acme/model-registry/churn-model:v3', metadata: { accuracy: 0.93 } },
    alias: type === 'ADD_ARTIFACT_ALIAS' ? 'production' : null, tag: type.endsWith('_TAG') ? 'gold' : null, ...overrides,
  }) as RegistryEvent;
}

/** The same event with every text field empty or as long as the event schema allows. */
const sparse = (type: string) => event(type, { author: null, entity: null, project: null, artifact: { collection: 'm' }, alias: null, tag: null });
const longest = (type: string) => event(type, {
  author: 'a'.repeat(256), entity: 'e'.repeat(256), project: 'p'.repeat(256),
  artifact: { collection: 'c'.repeat(256), version: 'v'.repeat(1024), versionString: 's'.repeat(1024) }, alias: 'l'.repeat(256), tag: 't'.repeat(256),
});

test('the route lists the three examples api.md names, with name, description and payload', () => {
  const { items } = listPayloadExamples();
  expect(items.map((item) => item.id)).toEqual(['github-repository-dispatch', 'microsoft-teams', 'slack']);
  for (const item of items) expect(item).toEqual({ id: item.id, name: expect.stringMatching(/.+/), description: expect.stringMatching(/.+/), payload: expect.any(Object) });
  // Copies: a caller changing one cannot change what the next one gets.
  (items[0].payload as Record<string, unknown>).event_type = 'changed';
  expect((listPayloadExamples().items[0].payload as Record<string, unknown>).event_type).toBe('${event_type}');
});

describe.each(PAYLOAD_EXAMPLES.map((example) => [example.id, example] as const))('%s', (id, example) => {
  const check = SERVICE_CHECKS[id];

  test('is a valid template for a webhook without secrets, and saved as it is', async () => {
    expect(validateTemplate(example.payload, { secretName: null, hasAccessToken: false })).toEqual({ ok: true, template: example.payload });
    const deps = inMemoryDeps();
    await seedWebhook(deps, { secret: null, accessToken: null });
    const created = await createAutomation(deps, 'demo', { name: id, event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: example.payload } });
    expect(created.action.payload).toEqual(example.payload);
  });

  test.each([...EVENT_TYPES])('renders a %s event to the JSON the service documents (full, sparse and longest values)', (type) => {
    for (const sample of [event(type), sparse(type), longest(type)]) {
      const body = JSON.parse(renderBody(example.payload, sample, NO_SECRETS));
      expect({ type, problems: check(body) }).toEqual({ type, problems: [] });
    }
  });
});

test('GitHub: the event type is the dispatch type and the event is in client_payload', () => {
  const body = JSON.parse(renderBody(PAYLOAD_EXAMPLES[0].payload, event('ADD_COLLECTION_TAG'), NO_SECRETS));
  expect(body).toEqual({
    event_type: 'ADD_COLLECTION_TAG',
    client_payload: {
      event_author: 'alice', entity_name: 'acme', project_name: 'model-registry', artifact_collection_name: 'churn-model',
      artifact_version: '', artifact_version_string: '', alias: '', tag: 'gold',
    },
  });
});

test('Teams and Slack show the model, version and who did it', () => {
  const sample = event('LINK_ARTIFACT');
  const teams = JSON.parse(renderBody(PAYLOAD_EXAMPLES[1].payload, sample, NO_SECRETS));
  expect(teams.attachments[0].content.body[2].facts).toContainEqual({ title: 'Version', value: 'acme/model-registry/churn-model:v3' });
  expect(teams.attachments[0].content.body[2].facts).toContainEqual({ title: 'By', value: 'alice' });
  const slack = JSON.parse(renderBody(PAYLOAD_EXAMPLES[2].payload, sample, NO_SECRETS));
  expect(slack.text).toBe('Model registry: LINK_ARTIFACT on churn-model');
  expect(JSON.stringify(slack.blocks)).toContain('Version: acme/model-registry/churn-model:v3');
  // Slack markup in a value stays text: every text object carrying values is plain_text.
  const marked = JSON.parse(renderBody(PAYLOAD_EXAMPLES[2].payload, event('LINK_ARTIFACT', { author: '<!channel>' }), NO_SECRETS));
  expect(marked.blocks[2].elements[0]).toEqual({ type: 'plain_text', emoji: false, text: 'Reported by <!channel>' });
});

describe('the service checks catch what the services refuse', () => {
  test.each<[string, (body: unknown) => string[], unknown, RegExp]>([
    ['GitHub: no event_type', githubRepositoryDispatchProblems, { client_payload: {} }, /event_type/],
    ['GitHub: event_type over 100', githubRepositoryDispatchProblems, { event_type: 'x'.repeat(101) }, /event_type/],
    ['GitHub: 11 client_payload properties', githubRepositoryDispatchProblems, { event_type: 'x', client_payload: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])) }, /10 top-level/],
    ['GitHub: unknown parameter', githubRepositoryDispatchProblems, { event_type: 'x', ref: 'main' }, /ref/],
    ['Slack: neither text nor blocks', slackMessageProblems, {}, /text or blocks/],
    ['Slack: empty plain_text', slackMessageProblems, { text: 'x', blocks: [{ type: 'section', text: { type: 'plain_text', text: '' } }] }, /1-3000/],
    ['Slack: 11 fields', slackMessageProblems, { text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'plain_text', text: 'f' })) }] }, /1-10/],
    ['Slack: blocks without fallback text', slackMessageProblems, { blocks: [{ type: 'divider' }] }, /fallback/],
    ['Slack: header over 150', slackMessageProblems, { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }, /1-150/],
    ['Teams: a bare card', teamsMessageProblems, { type: 'AdaptiveCard', version: '1.4', body: [] }, /message/],
    ['Teams: wrong contentType', teamsMessageProblems, { type: 'message', attachments: [{ contentType: 'application/json', content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'x' }] } }] }, /contentType/],
    ['Teams: fact without value', teamsMessageProblems, { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'FactSet', facts: [{ title: 't' }] }] } }] }, /title and value/],
  ])('%s', (_, check, body, problem) => {
    expect(check(body).join('\n')).toMatch(problem);
  });
});
