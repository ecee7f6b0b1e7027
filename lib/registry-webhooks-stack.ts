/**
 * The Registry Webhooks stack: tables, queues, Lambdas, the REST API and monitoring.
 * The architecture's AWS resources table lists what each part must have.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WebhooksApi } from './api';
import { allowConsoleOrigin, ConsoleHosting } from './console-hosting';
import { resolveSettings, type RegistryWebhooksStackProps, type ResolvedSettings } from './config';
import { DataTables } from './data';
import { DELIVER_TIMEOUT, Functions } from './functions';
import { Monitoring } from './monitoring';
import { Notifications } from './notifications';
import { DeliveryQueues } from './queue';

export type { RegistryWebhooksStackProps } from './config';

/** Default CloudFormation stack name. */
export const STACK_NAME = 'RegistryWebhooks';

/** Serverless webhook sender for a model registry. */
export class RegistryWebhooksStack extends Stack {
  /** The props after defaults and checks. */
  public readonly settings: ResolvedSettings;
  /** config, deliveries and events tables. */
  public readonly tables: DataTables;
  /** Delivery queue and its DLQ. */
  public readonly queues: DeliveryQueues;
  /** The five Lambdas. */
  public readonly functions: Functions;
  /** The REST API (stage v1). */
  public readonly api: WebhooksApi;
  /** Alarm topic, alarms and dashboard. */
  public readonly monitoring: Monitoring;
  /** The topic told when a webhook is disabled or enabled again. */
  public readonly notifications: Notifications;
  /** The web console: S3 + CloudFront. */
  public readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: RegistryWebhooksStackProps = {}) {
    super(scope, id, { description: 'Registry Webhooks: serverless webhook automation for a model registry', ...props });
    this.settings = resolveSettings(props);

    this.tables = new DataTables(this, 'Data');
    this.queues = new DeliveryQueues(this, 'Queues', { consumerTimeout: DELIVER_TIMEOUT });
    this.notifications = new Notifications(this, 'Notifications');
    this.functions = new Functions(this, 'Functions', { tables: this.tables, queues: this.queues, notifications: this.notifications, settings: this.settings });
    const fns = this.functions.byName;
    this.api = new WebhooksApi(this, 'Api', {
      handlers: { api: fns.api, ingest: fns.ingest },
      authorizer: fns.authorizer,
      settings: this.settings,
    });
    this.console = new ConsoleHosting(this, 'Console', {
      apiUrl: this.api.url,
      apiOrigin: `https://${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
    });
    allowConsoleOrigin(this.api.restApi, [fns.api, fns.ingest], this.settings.consoleOrigin ?? this.console.origin);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: fns,
      queue: this.queues.queue,
      deadLetterQueue: this.queues.deadLetterQueue,
      api: this.api,
      alarmEmail: this.settings.alarmEmail,
    });

    this.outputs();
  }

  private outputs(): void {
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('ApiUrl', this.api.url, 'Base URL of the API (stage v1); requests go to <ApiUrl>/teams/...');
    output('ConsoleUrl', this.console.url, 'The web console (HTTPS); sign in with an admin or member API key');
    output('ConfigTableName', this.tables.config.tableName, 'DynamoDB table of API keys (hashes), webhooks and automations');
    output('DeliveriesTableName', this.tables.deliveries.tableName, 'DynamoDB table of deliveries and their attempts');
    output('EventsTableName', this.tables.events.tableName, 'DynamoDB table of event idempotency records');
    output('DeliveryQueueUrl', this.queues.queue.queueUrl, 'SQS queue of delivery jobs');
    output('DeadLetterQueueUrl', this.queues.deadLetterQueue.queueUrl, 'SQS dead-letter queue of delivery jobs that could not be processed');
    output('SecretPrefix', this.settings.secretPrefix, 'Team secrets live in Secrets Manager as <SecretPrefix>/<team>/<name>');
    output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'SNS topic receiving alarms; subscribe on-call endpoints to it');
    output('NotificationTopicArn', this.notifications.topic.topicArn, 'SNS topic told when a webhook is disabled (410 Gone, failing too long, or by an admin) or enabled again');
    output('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of deliveries, queues and Lambdas');
  }
}
