/**
 * Shared steps of the delivery tests: a webhook + automation aimed at a receiver, an event
 * report, and polling a delivery until it reaches a state (bounded, never a fixed sleep).
 */
import { sampleEvent } from '../../../lambdas/domain/template';
import { call, waitFor } from './http';
import type { LocalModeProcess } from './local-mode';

/** A webhook and an automation sending every LINK_ARTIFACT event of `collection` to `url` (team `demo` unless `team` says). */
export async function hookUp(
  local: Pick<LocalModeProcess, 'baseUrl' | 'adminKey'>,
  options: { name: string; url: string; collection: string; secret?: string; team?: string },
): Promise<{ webhookId: string; automationId: string }> {
  const team = options.team ?? 'demo';
  const webhook = await call(local.baseUrl, 'POST', `/teams/${team}/webhooks`, {
    key: local.adminKey,
    body: { name: options.name, url: options.url, ...(options.secret ? { secret: options.secret } : {}) },
  });
  if (webhook.status !== 201) throw new Error(`webhook not created: ${webhook.status} ${webhook.text}`);
  const automation = await call(local.baseUrl, 'POST', `/teams/${team}/automations`, {
    key: local.adminKey,
    body: {
      name: `${options.name}-automation`,
      enabled: true,
      event: { type: 'LINK_ARTIFACT', collection: options.collection },
      action: { type: 'WEBHOOK', webhookId: webhook.body.id, payload: { event: '${event_type}', version: '${artifact_version_string}', author: '${event_author}' } },
    },
  });
  if (automation.status !== 201) throw new Error(`automation not created: ${automation.status} ${automation.text}`);
  return { webhookId: webhook.body.id, automationId: automation.body.id };
}

/** A registry event body. */
export function registryEvent(id: string, collection: string) {
  const sample = sampleEvent();
  return { ...sample, id, artifact: { collection, version: `wandb-artifact://_id/${id}`, versionString: `acme/model-registry/${collection}:v1`, metadata: {} }, alias: null };
}

/** Reports an event with the registry key (to team `demo` unless `team` says); returns the ids of the deliveries it made. */
export async function report(local: Pick<LocalModeProcess, 'baseUrl' | 'registryKey'>, id: string, collection: string, team = 'demo'): Promise<string[]> {
  const answer = await call(local.baseUrl, 'POST', `/teams/${team}/events`, { key: local.registryKey, body: registryEvent(id, collection) });
  if (answer.status !== 202) throw new Error(`event not accepted: ${answer.status} ${answer.text}`);
  return answer.body.deliveries.map((delivery: { id: string }) => delivery.id);
}

/** Polls a delivery until `until` holds for it; returns it. */
export async function waitForDelivery(
  local: Pick<LocalModeProcess, 'baseUrl' | 'adminKey'>,
  id: string,
  until: (delivery: any) => boolean,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<any> {
  let last: unknown;
  try {
    return await waitFor(async () => {
      const answer = await call(local.baseUrl, 'GET', `/teams/demo/deliveries/${id}`, { key: local.adminKey });
      last = answer.body;
      return answer.status === 200 && until(answer.body) ? answer.body : undefined;
    }, { timeoutMs: options.timeoutMs ?? 30_000, what: options.what ?? `delivery ${id}` });
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

/** Predicate: the delivery has finished with this status. */
export const finished = (status: 'succeeded' | 'failed') => (delivery: any) => delivery.status === status;
