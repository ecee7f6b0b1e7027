/**
 * The Secrets Manager emulator's action table: which `X-Amz-Target` actions it supports
 * and the handler of each. It holds only the calls something in this project makes: the
 * secrets adapter (`lambdas/adapters/secret-store.ts`), Powertools' SecretsProvider
 * (GetSecretValue, also by VersionStage for a rotation's previous value) and the README's
 * "console" recipe (ListSecretVersionIds shows AWSCURRENT and AWSPREVIOUS there). The HTTP layer answers any other
 * action with `UnknownOperationException` before reading the body.
 */
import type { Body } from './params';
import { describeSecret, getSecretValue, listSecrets, listSecretVersionIds } from './read-actions';
import type { SecretStore } from './store';
import { createSecret, deleteSecret, putSecretValue } from './write-actions';

/** Handles one action: reads the body, works on the store at time now, returns the output. */
type Action = (store: SecretStore, body: Body, now: number) => object;

/** The supported actions by name, as they appear after `secretsmanager.` in X-Amz-Target. */
export const ACTIONS: ReadonlyMap<string, Action> = new Map<string, Action>([
  ['CreateSecret', createSecret],
  ['GetSecretValue', getSecretValue],
  ['PutSecretValue', putSecretValue],
  ['DescribeSecret', describeSecret],
  ['ListSecrets', listSecrets],
  ['ListSecretVersionIds', listSecretVersionIds],
  ['DeleteSecret', deleteSecret],
]);
