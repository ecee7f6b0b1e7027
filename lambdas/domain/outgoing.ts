/**
 * Builds the exact POST a receiver gets (api.md, "The POST a receiver gets"): the rendered
 * body, signed with the webhook's secret in both schemes, with its access token as a bearer
 * token and the webhook's own headers. Used by real deliveries and by the test route, so both
 * are signed the same way.
 */
import type { OutgoingRequest, SecretVersions } from './ports';
import type { Deps } from './services/deps';
import { signPayload, standardWebhookHeaders } from './signing';
import { renderBody } from './template';
import type { RegistryEvent, Webhook } from './types';

/** Thrown when a secret the webhook names no longer exists (e.g. deleted in the console). */
export class MissingSecretError extends Error {
  constructor(readonly secretName: string) {
    super(`secret ${secretName} not found`);
    this.name = 'MissingSecretError';
  }
}

/** A rendered request whose signatures are made when it is sent: `webhook-timestamp` is the attempt's own time. */
export interface PreparedRequest {
  /** The request as sent at `at`: signed with the values that sign at that moment. */
  signedAt(at: Date): OutgoingRequest;
}

/**
 * The values that sign at `at`: the current one, then the previous one while `at` is within
 * `overlapSeconds` of the moment the current value was made. Decided here, at send time, from
 * the version's own date, so a cached read never stretches or shortens the overlap.
 */
export function signingValues(versions: SecretVersions, overlapSeconds: number, at: Date): string[] {
  const { value, previous, since } = versions;
  const overlapping = previous !== null && previous !== value && at.getTime() < since.getTime() + overlapSeconds * 1000;
  return overlapping ? [value, previous] : [value];
}

/** Renders, addresses and (at send time) signs one delivery attempt or test send. */
export async function prepareRequest(
  deps: Deps<'secrets' | 'config'>,
  webhook: Webhook,
  template: unknown,
  event: RegistryEvent,
  deliveryId: string,
): Promise<PreparedRequest> {
  const { secrets, config } = deps;
  const [signing, accessToken] = await Promise.all([
    webhook.secret ? secrets.getVersions(webhook.team, webhook.secret, config.secretRotationOverlapSeconds) : null,
    webhook.accessToken ? secrets.getValue(webhook.team, webhook.accessToken) : null,
  ]);
  if (signing === undefined) throw new MissingSecretError(webhook.secret!);
  if (accessToken === undefined) throw new MissingSecretError(webhook.accessToken!);
  const secretValue = signing?.value ?? null;
  const body = renderBody(template, event, { accessToken, secretName: webhook.secret, secretValue });
  const base: Record<string, string> = {
    // The webhook's own headers first: none of them may name a header set below (schemas.ts).
    ...webhook.headers,
    'Content-Type': 'application/json',
    'User-Agent': config.userAgent,
    'X-Wandb-Delivery': deliveryId,
  };
  if (accessToken !== null) base.Authorization = `Bearer ${accessToken}`;
  if (secretValue !== null) base['X-Wandb-Signature'] = signPayload(secretValue, body);
  // Every value this request carries or was signed with, to clean out of what comes back.
  const carried = [accessToken, secretValue, signing?.previous ?? null].filter((value): value is string => value !== null && value !== '');
  return {
    signedAt(at: Date): OutgoingRequest {
      const headers = signing ? { ...base, ...standardWebhookHeaders(signingValues(signing, config.secretRotationOverlapSeconds, at), deliveryId, at, body) } : { ...base };
      return { url: webhook.url, headers, body, secrets: carried };
    },
  };
}
