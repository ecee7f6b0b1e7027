/** The KeyStore, WebhookStore and AutomationStore contracts (lambdas/domain/ports.ts). */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AutomationStore, KeyStore, WebhookStore } from '../../../lambdas/domain/ports';
import { HEALTHY, type ApiKeyRecord, type Automation, type AutomationEventFilter, type Webhook } from '../../../lambdas/domain/types';

const at = (second: number) => new Date(Date.UTC(2025, 5, 1, 12, 0, second)).toISOString();

function webhook(team: string, id: string, name: string, second = 0): Webhook {
  return { id, team, name, url: 'https://hooks.example.com/in', secret: 'HMAC_KEY', accessToken: null, rateLimit: null, headers: {}, createdAt: at(second), updatedAt: at(second), health: { ...HEALTHY } };
}

function automation(team: string, id: string, event: AutomationEventFilter, overrides: Partial<Automation> = {}): Automation {
  return {
    id, team, name: id, description: '', enabled: true, event,
    action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: { n: 12345678901234567890, text: '${alias}' } },
    createdAt: at(0), updatedAt: at(0), ...overrides,
  };
}

/** Defines the KeyStore contract's tests. */
export function keyStoreContract(store: () => KeyStore): void {
  const record = (team: string, id: string, second: number): ApiKeyRecord => ({ id, team, role: 'admin', name: `key ${id}`, createdAt: at(second) });

  test('a key is found by its hash, listed by team in creation order, and deleted by its team only', async () => {
    const keys = store();
    await keys.create(record('acme', 'key_b', 2), 'hash-b');
    await keys.create(record('acme', 'key_a', 1), 'hash-a');
    await keys.create(record('other', 'key_c', 3), 'hash-c');
    expect(await keys.findByHash('hash-a')).toEqual(record('acme', 'key_a', 1));
    expect(await keys.findByHash('hash-unknown')).toBeUndefined();
    expect((await keys.listByTeam('acme')).map((key) => key.id)).toEqual(['key_a', 'key_b']);
    expect(await keys.delete('other', 'key_a')).toBe(false);
    expect(await keys.delete('acme', 'key_a')).toBe(true);
    expect(await keys.delete('acme', 'key_a')).toBe(false);
    expect(await keys.findByHash('hash-a')).toBeUndefined();
  });

  test('a second key with the same hash is refused', async () => {
    const keys = store();
    await keys.create(record('acme', 'key_a', 1), 'hash-a');
    await expect(keys.create(record('acme', 'key_b', 2), 'hash-a')).rejects.toThrow();
    expect((await keys.listByTeam('acme')).map((key) => key.id)).toEqual(['key_a']);
  });
}

/** Defines the WebhookStore contract's tests. */
export function webhookStoreContract(store: () => WebhookStore): void {
  test('create, get, list (creation order), update and delete', async () => {
    const webhooks = store();
    await webhooks.create(webhook('acme', 'wh_2', 'second', 2));
    await webhooks.create(webhook('acme', 'wh_1', 'first', 1));
    expect(await webhooks.get('acme', 'wh_1')).toEqual(webhook('acme', 'wh_1', 'first', 1));
    expect(await webhooks.get('other', 'wh_1')).toBeUndefined();
    expect((await webhooks.list('acme')).map((hook) => hook.id)).toEqual(['wh_1', 'wh_2']);
    const changed = { ...webhook('acme', 'wh_1', 'first', 1), url: 'https://new.example.com/', accessToken: 'TOKEN', headers: { 'X-Team': 'ml platform', 'x-empty': '', 'X-Dots.And_Under~': '!#$%&\'*+-.^_`|~' } };
    await webhooks.update(webhook('acme', 'wh_1', 'first', 1), changed);
    expect(await webhooks.get('acme', 'wh_1')).toEqual(changed);
    // Custom headers are replaced as a whole, never merged.
    const fewer = { ...changed, headers: { 'X-Other': '1' } };
    await webhooks.update(changed, fewer);
    expect((await webhooks.get('acme', 'wh_1'))?.headers).toEqual({ 'X-Other': '1' });
    await webhooks.update(fewer, changed);
    await webhooks.delete(changed);
    expect(await webhooks.get('acme', 'wh_1')).toBeUndefined();
    expect((await webhooks.list('acme')).map((hook) => hook.id)).toEqual(['wh_2']);
  });

  test('names are unique per team: a taken name is a conflict, in create and in a rename', async () => {
    const webhooks = store();
    await webhooks.create(webhook('acme', 'wh_1', 'deploy'));
    await webhooks.create(webhook('acme', 'wh_2', 'notify'));
    await expect(webhooks.create(webhook('acme', 'wh_3', 'deploy'))).rejects.toMatchObject({ kind: 'conflict' });
    await expect(webhooks.update(webhook('acme', 'wh_2', 'notify'), webhook('acme', 'wh_2', 'deploy'))).rejects.toMatchObject({ kind: 'conflict' });
    expect((await webhooks.list('acme')).map((hook) => hook.name)).toEqual(['deploy', 'notify']);
    // Another team may use the name.
    await webhooks.create(webhook('other', 'wh_4', 'deploy'));
    expect((await webhooks.list('other')).map((hook) => hook.name)).toEqual(['deploy']);
  });

  test('a rename frees the old name, and a delete frees the name', async () => {
    const webhooks = store();
    await webhooks.create(webhook('acme', 'wh_1', 'old'));
    await webhooks.update(webhook('acme', 'wh_1', 'old'), webhook('acme', 'wh_1', 'new'));
    await webhooks.create(webhook('acme', 'wh_2', 'old'));
    await webhooks.delete(webhook('acme', 'wh_1', 'new'));
    await webhooks.create(webhook('acme', 'wh_3', 'new'));
    expect((await webhooks.list('acme')).map((hook) => `${hook.id}:${hook.name}`).sort()).toEqual(['wh_2:old', 'wh_3:new']);
  });
  test('a failing run: started once, counted exactly under concurrent workers, ended by a success', async () => {
    const webhooks = store();
    await webhooks.create(webhook('acme', 'wh_1', 'hook'));
    const t1 = new Date('2025-06-01T12:00:01.000Z');
    expect(await webhooks.recordFailure('acme', 'wh_1', t1)).toEqual({ failingSince: t1.toISOString(), failedAttempts: 1 });
    const counts = await Promise.all([2, 3, 4].map((second) => webhooks.recordFailure('acme', 'wh_1', new Date(Date.UTC(2025, 5, 1, 12, 0, second)))));
    expect(counts.map((run) => run!.failedAttempts).sort()).toEqual([2, 3, 4]);
    expect(counts.every((run) => run!.failingSince === t1.toISOString())).toBe(true);
    expect((await webhooks.get('acme', 'wh_1'))!.health).toEqual({ ...HEALTHY, failingSince: t1.toISOString(), failedAttempts: 4 });
    await webhooks.recordSuccess('acme', 'wh_1');
    expect((await webhooks.get('acme', 'wh_1'))!.health).toEqual(HEALTHY);
    expect(await webhooks.recordFailure('acme', 'wh_gone', t1)).toBeUndefined();
  });

  test('disable: once (the first caller wins), and an update that does not change `enabled` keeps the health', async () => {
    const webhooks = store();
    const original = webhook('acme', 'wh_1', 'hook');
    await webhooks.create(original);
    const at = new Date('2025-06-01T12:00:05.000Z');
    await webhooks.recordFailure('acme', 'wh_1', at);
    const [first, second] = await Promise.all([webhooks.disable('acme', 'wh_1', 'gone', at), webhooks.disable('acme', 'wh_1', 'gone', at)]);
    expect([first, second].filter(Boolean)).toEqual([true]);
    expect(await webhooks.disable('acme', 'wh_missing', 'gone', at)).toBe(false);
    const disabled = { enabled: false, disabledReason: 'gone', disabledAt: at.toISOString(), failingSince: at.toISOString(), failedAttempts: 1 };
    expect((await webhooks.get('acme', 'wh_1'))!.health).toEqual(disabled);
    // An admin renames it, from a copy read before the disable: the health stays as recorded.
    await webhooks.update(original, { ...original, name: 'renamed' });
    expect(await webhooks.get('acme', 'wh_1')).toEqual({ ...original, name: 'renamed', health: disabled });
    // An admin enables it: the health is what the update says.
    const current = (await webhooks.get('acme', 'wh_1'))!;
    await webhooks.update(current, { ...current, health: HEALTHY });
    expect((await webhooks.get('acme', 'wh_1'))!.health).toEqual(HEALTHY);
  });
}

/** Defines the AutomationStore contract's tests. */
export function automationStoreContract(store: () => AutomationStore): void {
  test('put, get, list (creation order) and delete by team', async () => {
    const automations = store();
    const first = automation('acme', 'au_1', { type: 'LINK_ARTIFACT', collection: 'churn' }, { createdAt: at(1) });
    const second = automation('acme', 'au_2', { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod' }, { createdAt: at(2), action: { type: 'WEBHOOK', webhookId: 'wh_9' } });
    await automations.put(second);
    await automations.put(first);
    expect(await automations.get('acme', 'au_1')).toEqual(first);
    expect(await automations.get('acme', 'au_2')).toEqual(second);
    expect(await automations.get('other', 'au_1')).toBeUndefined();
    expect((await automations.list('acme')).map((a) => a.id)).toEqual(['au_1', 'au_2']);
    expect(await automations.delete('other', 'au_1')).toBe(false);
    expect(await automations.delete('acme', 'au_1')).toBe(true);
    expect(await automations.delete('acme', 'au_1')).toBe(false);
    expect((await automations.list('acme')).map((a) => a.id)).toEqual(['au_2']);
  });

  test('candidates: enabled automations of the team and type whose collection is the event\'s or absent, each once', async () => {
    const automations = store();
    await automations.put(automation('acme', 'au_exact', { type: 'LINK_ARTIFACT', collection: 'churn' }));
    await automations.put(automation('acme', 'au_any', { type: 'LINK_ARTIFACT' }));
    await automations.put(automation('acme', 'au_star', { type: 'LINK_ARTIFACT', collection: '*' }));
    await automations.put(automation('acme', 'au_othercollection', { type: 'LINK_ARTIFACT', collection: 'fraud' }));
    await automations.put(automation('acme', 'au_othertype', { type: 'UNLINK_ARTIFACT', collection: 'churn' }));
    await automations.put(automation('acme', 'au_disabled', { type: 'LINK_ARTIFACT', collection: 'churn' }, { enabled: false }));
    await automations.put(automation('other', 'au_otherteam', { type: 'LINK_ARTIFACT', collection: 'churn' }));
    const ids = async (collection: string) => (await automations.findCandidates('acme', 'LINK_ARTIFACT', collection, 'model-registry')).map((a) => a.id).sort();
    expect(await ids('churn')).toEqual(['au_any', 'au_exact']);
    // A collection literally named `*`: its own automation and the any-collection one, once each.
    expect(await ids('*')).toEqual(['au_any', 'au_star']);
    expect((await automations.findCandidates('acme', 'LINK_ARTIFACT', 'churn', 'model-registry')).find((a) => a.id === 'au_exact')).toEqual(
      automation('acme', 'au_exact', { type: 'LINK_ARTIFACT', collection: 'churn' }),
    );
  });

  test('enabling, disabling, re-filtering and deleting an automation changes what it is a candidate for', async () => {
    const automations = store();
    const base = automation('acme', 'au_1', { type: 'LINK_ARTIFACT', collection: 'churn' });
    await automations.put({ ...base, enabled: false });
    const ids = async (collection: string) => (await automations.findCandidates('acme', 'LINK_ARTIFACT', collection, 'model-registry')).map((a) => a.id);
    expect(await ids('churn')).toEqual([]);
    await automations.put(base);
    expect(await ids('churn')).toEqual(['au_1']);
    await automations.put({ ...base, event: { type: 'LINK_ARTIFACT', collection: 'fraud' } });
    expect(await ids('churn')).toEqual([]);
    expect(await ids('fraud')).toEqual(['au_1']);
    await automations.delete('acme', 'au_1');
    expect(await ids('fraud')).toEqual([]);
  });

  test('candidates by project: the event\'s registry or any, crossed with its collection or any, each once', async () => {
    const automations = store();
    await automations.put(automation('acme', 'au_a_churn', { type: 'ADD_COLLECTION_TAG', project: 'reg-a', collection: 'churn' }));
    await automations.put(automation('acme', 'au_a_any', { type: 'ADD_COLLECTION_TAG', project: 'reg-a' }));
    await automations.put(automation('acme', 'au_any_churn', { type: 'ADD_COLLECTION_TAG', collection: 'churn' }));
    await automations.put(automation('acme', 'au_any_any', { type: 'ADD_COLLECTION_TAG' }));
    await automations.put(automation('acme', 'au_b_churn', { type: 'ADD_COLLECTION_TAG', project: 'reg-b', collection: 'churn' }));
    await automations.put(automation('acme', 'au_b_any', { type: 'ADD_COLLECTION_TAG', project: 'reg-b' }));
    await automations.put(automation('acme', 'au_a_othertype', { type: 'REMOVE_COLLECTION_TAG', project: 'reg-a', collection: 'churn' }));
    await automations.put(automation('acme', 'au_a_disabled', { type: 'ADD_COLLECTION_TAG', project: 'reg-a', collection: 'churn' }, { enabled: false }));
    await automations.put(automation('other', 'au_a_otherteam', { type: 'ADD_COLLECTION_TAG', project: 'reg-a', collection: 'churn' }));
    const ids = async (project: string, collection: string) => (await automations.findCandidates('acme', 'ADD_COLLECTION_TAG', collection, project)).map((a) => a.id).sort();
    expect(await ids('reg-a', 'churn')).toEqual(['au_a_any', 'au_a_churn', 'au_any_any', 'au_any_churn']);
    expect(await ids('reg-b', 'churn')).toEqual(['au_any_any', 'au_any_churn', 'au_b_any', 'au_b_churn']);
    expect(await ids('reg-a', 'fraud')).toEqual(['au_a_any', 'au_any_any']);
    expect(await ids('reg-c', 'churn')).toEqual(['au_any_any', 'au_any_churn']);
    // A report without a project: only automations of every registry.
    expect(await ids('', 'churn')).toEqual(['au_any_any', 'au_any_churn']);
    expect(await ids('reg-a', '*')).toEqual(['au_a_any', 'au_any_any']);
    expect((await automations.findCandidates('acme', 'ADD_COLLECTION_TAG', 'churn', 'reg-a')).find((a) => a.id === 'au_a_churn')).toEqual(
      automation('acme', 'au_a_churn', { type: 'ADD_COLLECTION_TAG', project: 'reg-a', collection: 'churn' }),
    );
  });

  test('project and collection names holding the key separator are told apart', async () => {
    const automations = store();
    await automations.put(automation('acme', 'au_1', { type: 'LINK_ARTIFACT', project: 'a#b', collection: 'c' }));
    await automations.put(automation('acme', 'au_2', { type: 'LINK_ARTIFACT', project: 'a', collection: 'b#c' }));
    await automations.put(automation('acme', 'au_3', { type: 'LINK_ARTIFACT', project: '3#a', collection: '*' }));
    await automations.put(automation('acme', 'au_4', { type: 'LINK_ARTIFACT', collection: 'a#b#c' }));
    const ids = async (project: string, collection: string) => (await automations.findCandidates('acme', 'LINK_ARTIFACT', collection, project)).map((a) => a.id).sort();
    expect(await ids('a#b', 'c')).toEqual(['au_1']);
    expect(await ids('a', 'b#c')).toEqual(['au_2']);
    expect(await ids('3#a', '*')).toEqual(['au_3']);
    expect(await ids('3#a', 'x')).toEqual([]);
    expect(await ids('a', 'a#b#c')).toEqual(['au_4']);
  });

  test('adding, changing and removing the project filter changes what it is a candidate for', async () => {
    const automations = store();
    const base = automation('acme', 'au_1', { type: 'CREATE_ARTIFACT', collection: 'churn' });
    const ids = async (project: string) => (await automations.findCandidates('acme', 'CREATE_ARTIFACT', 'churn', project)).map((a) => a.id);
    await automations.put({ ...base, event: { ...base.event, project: 'reg-a' } });
    expect([await ids('reg-a'), await ids('reg-b'), await ids('')]).toEqual([['au_1'], [], []]);
    await automations.put({ ...base, event: { ...base.event, project: 'reg-b' } });
    expect([await ids('reg-a'), await ids('reg-b'), await ids('')]).toEqual([[], ['au_1'], []]);
    await automations.put(base);
    expect([await ids('reg-a'), await ids('reg-b'), await ids('')]).toEqual([['au_1'], ['au_1'], ['au_1']]);
    await automations.put({ ...base, enabled: false, event: { ...base.event, project: 'reg-a' } });
    expect(await ids('reg-a')).toEqual([]);
  });

  test('whether a webhook is in use, by the team\'s automations only', async () => {
    const automations = store();
    await automations.put(automation('acme', 'au_1', { type: 'LINK_ARTIFACT' }, { enabled: false }));
    expect(await automations.isWebhookInUse('acme', 'wh_1')).toBe(true);
    expect(await automations.isWebhookInUse('acme', 'wh_2')).toBe(false);
    expect(await automations.isWebhookInUse('other', 'wh_1')).toBe(false);
  });
}

/**
 * Automation items as release 0.2 wrote them (before `event.project` and the four new event
 * types): read, listed and matched as they are after the upgrade, with no migration.
 */
export function storedAutomationUpgradeContract(stores: () => { automations: AutomationStore; rawConfig?: { db: DynamoDBDocumentClient; table: string } }): void {
  /** An automation item exactly as 0.2's DynamoAutomationStore.put wrote it. */
  const itemOf02 = (id: string, event: { type: string; collection?: string }, enabled = true) => ({
    pk: 'TEAM#acme', sk: `AUTOMATION#${id}`, id, team: 'acme', name: id, description: '', enabled, event,
    action: { type: 'WEBHOOK', webhookId: 'wh_1' }, createdAt: at(0), updatedAt: at(0), webhookId: 'wh_1',
    payloadJson: JSON.stringify({ v: '${artifact_version_string}' }),
    ...(enabled ? { gsi1pk: `MATCH#acme#${event.type}#${event.collection ?? '*'}`, gsi1sk: id } : {}),
  });

  test('a 0.2 automation item is read, listed and found as a candidate for every registry', async () => {
    const { automations, rawConfig } = stores();
    if (!rawConfig) throw new Error('this contract needs a DynamoDB engine');
    for (const item of [itemOf02('au_old_exact', { type: 'LINK_ARTIFACT', collection: 'churn' }), itemOf02('au_old_any', { type: 'LINK_ARTIFACT' })]) {
      await rawConfig.db.send(new PutCommand({ TableName: rawConfig.table, Item: item }));
    }
    const expected = automation('acme', 'au_old_exact', { type: 'LINK_ARTIFACT', collection: 'churn' }, { action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: { v: '${artifact_version_string}' } } });
    expect(await automations.get('acme', 'au_old_exact')).toEqual(expected);
    expect((await automations.list('acme')).map((a) => a.id).sort()).toEqual(['au_old_any', 'au_old_exact']);
    for (const project of ['model-registry', '']) {
      expect((await automations.findCandidates('acme', 'LINK_ARTIFACT', 'churn', project)).map((a) => a.id).sort()).toEqual(['au_old_any', 'au_old_exact']);
    }
    // Saved again through this release (a PATCH adding a project): it moves to the project's key.
    await automations.put({ ...expected, event: { ...expected.event, project: 'reg-a' } });
    expect((await automations.findCandidates('acme', 'LINK_ARTIFACT', 'churn', 'reg-b')).map((a) => a.id)).toEqual(['au_old_any']);
    expect((await automations.findCandidates('acme', 'LINK_ARTIFACT', 'churn', 'reg-a')).map((a) => a.id).sort()).toEqual(['au_old_any', 'au_old_exact']);
  });
}
