/**
 * Tells a webhook's operators that it was disabled or enabled again. Deployed: a message on the
 * stack's SNS topic (output `NotificationTopicArn`), whose subscribers decide where it goes.
 * Local mode has no topic: a WARN log line instead. Messages name the team, webhook and reason,
 * never a secret (a webhook holds secret names only).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../domain/ports';
import type { Webhook } from '../domain/types';
import { currentLogger } from './observability';

/** What a notification says, as JSON (SNS message body, or the log line's fields). */
export function notification(webhook: Webhook, event: 'webhook-disabled' | 'webhook-enabled', reason?: string) {
  return {
    event,
    team: webhook.team,
    webhookId: webhook.id,
    webhookName: webhook.name,
    url: webhook.url,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** Notifications on an SNS topic. */
export class SnsNotifier implements Notifier {
  constructor(private readonly sns: SNSClient, private readonly topicArn: string) {}

  async webhookDisabled(webhook: Webhook, reason: string) {
    await this.publish(`Webhook ${webhook.name} of team ${webhook.team} disabled`, notification(webhook, 'webhook-disabled', reason));
  }

  async webhookEnabled(webhook: Webhook) {
    await this.publish(`Webhook ${webhook.name} of team ${webhook.team} enabled again`, notification(webhook, 'webhook-enabled'));
  }

  private async publish(subject: string, message: object): Promise<void> {
    // SNS subjects are at most 100 characters of ASCII; names are user text.
    const safeSubject = subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    await this.sns.send(new PublishCommand({ TopicArn: this.topicArn, Subject: safeSubject, Message: JSON.stringify(message) }));
  }
}

/** Notifications as WARN log lines (local mode), on the logger of the handler that notifies. */
export class LogNotifier implements Notifier {
  async webhookDisabled(webhook: Webhook, reason: string) {
    currentLogger().warn(`webhook ${webhook.name} (${webhook.id}) of team ${webhook.team} disabled: ${reason}`, notification(webhook, 'webhook-disabled', reason));
  }

  async webhookEnabled(webhook: Webhook) {
    currentLogger().warn(`webhook ${webhook.name} (${webhook.id}) of team ${webhook.team} enabled again`, notification(webhook, 'webhook-enabled'));
  }
}
