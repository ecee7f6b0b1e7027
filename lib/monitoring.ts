/**
 * Alarms (to an SNS topic) and a CloudWatch dashboard for the delivery pipeline.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { POWERTOOLS, type FunctionName } from './functions';

/** Delivery metrics the deliver handler emits with Powertools (dimension `service`). */
export const DELIVERY_METRICS = ['DeliverySucceeded', 'DeliveryFailed', 'DeliverySkipped', 'WebhookDisabled', 'DeliveriesSwept', 'AttemptDurationMs'] as const;

/** Settings of {@link Monitoring}. */
export interface MonitoringProps {
  /** Every Lambda, for error alarms and dashboard graphs. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /** The delivery queue (depth graph). */
  readonly queue: sqs.IQueue;
  /** The DLQ (depth graph and alarm). */
  readonly deadLetterQueue: sqs.IQueue;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/** Alarm topic, alarms and dashboard. */
export class Monitoring extends Construct {
  /** Receives every alarm and its recovery; subscribe more endpoints to it as needed. */
  public readonly alarmTopic: sns.Topic;
  /** Deliveries, attempt latency, queue depths and Lambda errors on one page. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer-managed key, not alias/aws/sns: CloudWatch cannot publish alarms to a topic
    // encrypted with the AWS-managed key, because that key's policy cannot be extended.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Registry Webhooks alarm topic',
      enableKeyRotation: true,
    });
    topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Registry Webhooks alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const notify = new actions.SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): void => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(notify);
      created.addOkAction(notify);
    };

    // A message in the DLQ is a delivery the worker could not process at all: look at it.
    alarm('DeadLetterQueueNotEmpty', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'Delivery jobs landed in the dead-letter queue; inspect and redrive them',
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      const title = name.charAt(0).toUpperCase() + name.slice(1);
      alarm(`${title}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `The ${name} Lambda failed (uncaught errors or timeouts)`,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(...this.widgets(props));
  }

  private widgets(props: MonitoringProps): cloudwatch.IWidget[] {
    const delivery = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: POWERTOOLS.metricsNamespace,
        metricName,
        dimensionsMap: { service: POWERTOOLS.serviceName },
        statistic,
        label,
        period: Duration.minutes(5),
      });
    const fns = Object.entries(props.functions);
    return [
      new cloudwatch.GraphWidget({
        title: 'Deliveries',
        left: [delivery('DeliverySucceeded', 'Sum', 'succeeded'), delivery('DeliveryFailed', 'Sum', 'failed'), delivery('DeliverySkipped', 'Sum', 'skipped (webhook disabled)')],
        // Webhooks the service disabled (410 Gone, or failing too long); the notification topic says which.
        // The sweeper's re-sends: stranded retries only, so a rise means lost messages or dying workers.
        right: [delivery('WebhookDisabled', 'Sum', 'webhooks disabled'), delivery('DeliveriesSwept', 'Sum', 'stranded retries re-sent')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Attempt duration (ms)',
        left: [delivery('AttemptDurationMs', 'p50', 'p50'), delivery('AttemptDurationMs', 'p99', 'p99')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queues',
        left: [props.queue.metricApproximateNumberOfMessagesVisible({ label: 'delivery queue' })],
        right: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'dead-letter queue' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: fns.map(([name, fn]) => fn.metricErrors({ label: name, statistic: 'Sum' })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: fns.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })),
        width: 12,
      }),
    ];
  }
}
