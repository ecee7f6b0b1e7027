/** A notifier that keeps what it was told, for tests and benchmarks. */
import type { Notifier } from '../../domain/ports';
import type { Webhook } from '../../domain/types';

/** One notification. */
export interface SentNotification {
  event: 'webhook-disabled' | 'webhook-enabled';
  webhookId: string;
  reason?: string;
}

/** In-memory Notifier. */
export class MemoryNotifier implements Notifier {
  readonly sent: SentNotification[] = [];

  async webhookDisabled(webhook: Webhook, reason: string) {
    this.sent.push({ event: 'webhook-disabled', webhookId: webhook.id, reason });
  }

  async webhookEnabled(webhook: Webhook) {
    this.sent.push({ event: 'webhook-enabled', webhookId: webhook.id });
  }
}
