/**
 * The notification topic: a message whenever a webhook is disabled (by the service: `410 Gone`,
 * or failing too long; or by an admin) or enabled again (api.md, "Endpoint health"). Separate
 * from the alarm topic: its audience is the teams whose endpoints these are, or whatever the
 * operator subscribes (e-mail, a chat bridge, a ticketing queue), not on-call. Encrypted with a
 * customer-managed key and TLS only, like the alarm topic.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** The topic, and who may publish to it. */
export class Notifications extends Construct {
  public readonly topic: sns.Topic;
  private readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'NotificationTopicKey', {
      description: 'Encrypts the Registry Webhooks notification topic (webhook disabled / enabled)',
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'NotificationTopic', {
      displayName: 'Registry Webhooks notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    // `enforceSSL` gives the topic a policy holding only its Deny, which replaces SNS's default
    // policy. Unlike the alarm topic, nothing here needs that policy to allow anything: the only
    // publishers are this stack's Lambda roles, whose own IAM policies allow sns:Publish (and
    // the key's data-key actions; the key's default policy defers to IAM), which is enough
    // within one account. A service principal (EventBridge, CloudWatch) would need a statement.
  }

  /**
   * Lets a function publish (the deliver Lambda disables, the api Lambda's PATCH enables and
   * disables). For an encrypted topic this also grants the key's data-key actions, which SNS
   * uses on the publisher's behalf; the wildcard that brings is acknowledged where it lands.
   */
  grantPublish(grantee: iam.IGrantable): void {
    this.topic.grantPublish(grantee);
    if (grantee instanceof iam.Role) {
      acknowledge(grantee, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'grantPublish on a KMS-encrypted SNS topic grants kms:GenerateDataKey* on that one key only (GenerateDataKey and GenerateDataKeyWithoutPlaintext), which SNS needs to encrypt each published message');
    }
  }
}
