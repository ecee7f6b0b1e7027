/**
 * Each route's operation (by the route table's `operation` name) → the service call and the
 * success status. The api and ingest handlers each serve the operations of their routes; the
 * compiler checks that each map has exactly the operations of its Lambda's routes, and that
 * each Lambda's dependencies cover what its operations' services ask for.
 */
import type { Deps } from '../../domain/services/deps';
import * as automations from '../../domain/services/automations';
import * as deliveries from '../../domain/services/deliveries';
import { reportEvent, type ReportEventDeps } from '../../domain/services/events';
import { listPayloadExamples } from '../../domain/payload-examples';
import * as keys from '../../domain/services/keys';
import { recoverWebhook } from '../../domain/services/recover';
import * as secrets from '../../domain/services/secrets';
import * as webhooks from '../../domain/services/webhooks';
import { HttpError } from './errors';
import type { ApiRequest } from './request';
import type { OperationName } from './routes';

/** An operation's result: status and JSON body (none for 204). */
export interface OperationResult {
  status: number;
  body?: unknown;
}

/** One operation, over the dependencies `D` of its Lambda. */
export type Operation<D> = (deps: D, request: ApiRequest) => Promise<OperationResult>;

/** What the api Lambda is built with: every port its operations use. */
export type ApiDeps = Deps<'keys' | 'webhooks' | 'automations' | 'secrets' | 'deliveries' | 'events' | 'queue' | 'sender' | 'notifier' | 'config' | 'now'>;

const ok = (body: unknown): OperationResult => ({ status: 200, body });
const created = (body: unknown): OperationResult => ({ status: 201, body });
const noContent: OperationResult = { status: 204 };

/** Management operations (the `api` Lambda). */
export const API_OPERATIONS: Record<OperationName<'api'>, Operation<ApiDeps>> = {
  health: async () => ok({ status: 'ok' }),
  // The route needs a key, so the caller is always there; never the key itself, only its id.
  me: async (_deps, { caller }) => {
    if (!caller) throw new HttpError('UNAUTHENTICATED', 'missing or unknown API key');
    return ok({ team: caller.team, role: caller.role, keyId: caller.keyId });
  },

  createKey: async (deps, { team, body }) => created(await keys.createKey(deps, team, body)),
  listKeys: async (deps, { team }) => ok(await keys.listKeys(deps, team)),
  deleteKey: async (deps, { team, params }) => (await keys.deleteKey(deps, team, params.id), noContent),

  putSecret: async (deps, { team, params, body }) => {
    const { created: isNew, info } = await secrets.putSecret(deps, team, params.name, body);
    return { status: isNew ? 201 : 200, body: info };
  },
  listSecrets: async (deps, { team }) => ok(await secrets.listSecrets(deps, team)),
  deleteSecret: async (deps, { team, params }) => (await secrets.deleteSecret(deps, team, params.name), noContent),

  createWebhook: async (deps, { team, body }) => created(await webhooks.createWebhook(deps, team, body)),
  listWebhooks: async (deps, { team }) => ok(await webhooks.listWebhooks(deps, team)),
  getWebhook: async (deps, { team, params }) => ok(webhooks.toWebhookResponse(await webhooks.requireWebhook(deps, team, params.id))),
  updateWebhook: async (deps, { team, params, body }) => ok(await webhooks.updateWebhook(deps, team, params.id, body)),
  deleteWebhook: async (deps, { team, params }) => (await webhooks.deleteWebhook(deps, team, params.id), noContent),
  testWebhook: async (deps, { team, params, body }) => ok(await webhooks.testWebhook(deps, team, params.id, body)),
  recoverWebhook: async (deps, { team, params, body }) => ({ status: 202, body: await recoverWebhook(deps, team, params.id, body) }),

  createAutomation: async (deps, { team, body }) => created(await automations.createAutomation(deps, team, body)),
  listAutomations: async (deps, { team }) => ok(await automations.listAutomations(deps, team)),
  getAutomation: async (deps, { team, params }) => ok(await automations.getAutomation(deps, team, params.id)),
  updateAutomation: async (deps, { team, params, body }) => ok(await automations.updateAutomation(deps, team, params.id, body)),
  deleteAutomation: async (deps, { team, params }) => (await automations.deleteAutomation(deps, team, params.id), noContent),
  // The same ready templates for every team; the route still checks the team and role, as api.md says.
  listPayloadExamples: async () => ok(listPayloadExamples()),

  listDeliveries: async (deps, { team, query }) => ok(await deliveries.listDeliveries(deps, team, query)),
  getDelivery: async (deps, { team, params }) => ok(await deliveries.getDelivery(deps, team, params.id)),
  redeliver: async (deps, { team, params }) => ({ status: 202, body: await deliveries.redeliver(deps, team, params.id) }),
};

/** Event reports (the `ingest` Lambda). */
export const INGEST_OPERATIONS: Record<OperationName<'ingest'>, Operation<ReportEventDeps>> = {
  reportEvent: async (deps, { team, body }) => {
    const result = await reportEvent(deps, team, body);
    return { status: result.status, body: result.body };
  },
};
