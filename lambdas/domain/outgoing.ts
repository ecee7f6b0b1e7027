/**
 * Builds the exact POST a receiver gets (api.md, "The POST a receiver gets"): the rendered
 * body, signed with the webhook's secret, with its access token as a bearer token. Used by
 * real deliveries and by the test route, so both are signed the same way.
 */
import type { OutgoingRequest, SecretStore } from './ports';
import { signPayload } from './signing';
import { renderBody } from './template';
import type { RegistryEvent, Webhook } from './types';

/** Thrown when a secret the webhook names no longer exists (e.g. deleted in the console). */
export class MissingSecretError extends Error {
  constructor(readonly secretName: string) {
    super(`secret ${secretName} not found`);
    this.name = 'MissingSecretError';
  }
}

async function loadSecret(secrets: SecretStore, team: string, name: string | null): Promise<string | null> {
  if (!name) return null;
  const value = await secrets.getValue(team, name);
  if (value === undefined) throw new MissingSecretError(name);
  return value;
}

/** Renders, signs and addresses one delivery attempt. */
export async function prepareRequest(
  secrets: SecretStore,
  webhook: Webhook,
  template: unknown,
  event: RegistryEvent,
  deliveryId: string,
  userAgent: string,
): Promise<OutgoingRequest> {
  const [secretValue, accessToken] = await Promise.all([
    loadSecret(secrets, webhook.team, webhook.secret),
    loadSecret(secrets, webhook.team, webhook.accessToken),
  ]);
  const body = renderBody(template, event, { accessToken, secretName: webhook.secret, secretValue });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': userAgent,
    'X-Wandb-Delivery': deliveryId,
  };
  if (accessToken !== null) headers.Authorization = `Bearer ${accessToken}`;
  if (secretValue !== null) headers['X-Wandb-Signature'] = signPayload(secretValue, body);
  const carried = [accessToken, secretValue].filter((value): value is string => value !== null && value !== '');
  return { url: webhook.url, headers, body, secrets: carried };
}
