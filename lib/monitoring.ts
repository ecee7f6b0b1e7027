/**
 * Alarms (to an SNS topic) and a CloudWatch dashboard for the delivery pipeline and the API.
 *
 * Every alarm is something an operator must act on: deliveries failing for good, the delivery
 * queue not draining, messages in the DLQ, the API answering 5xx or slowly, throttling, a
 * Lambda failing. None fires on a caller's mistake: the authorizer's Lambda `Errors` count
 * every unknown key (a TOKEN authorizer refuses by throwing `Unauthorized`), so it has no
 * alarm; an authorizer that fails for real makes API Gateway answer 500, which the 5XX alarm
 * sees. README's Operations section says what each alarm means and what to do.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WebhooksApi } from './api';
import { POWERTOOLS, type FunctionName } from './functions';
import { API_INTERNAL_ERROR_METRIC, DELIVERY_FAILED_METRIC } from '../lambdas/adapters/metric-names';

/** Delivery metrics the deliver handler emits with Powertools (dimension `service`). */
export const DELIVERY_METRICS = ['DeliverySucceeded', 'DeliveryFailed', 'DeliverySkipped', 'WebhookDisabled', 'DeliveriesSwept', 'DeliveryDeferred', 'DeliveryDeferredSlow', 'DeliveryRateLimited', 'AttemptDurationMs'] as const;

/**
 * Thresholds of the alarms, exported so tests and docs quote them. Each is "at or above".
 * - deliveriesFailed: deliveries ended `failed` within 15 minutes. A delivery fails only at the
 *   end of its ~27-hour schedule, or at once for 410 Gone / a blocked address / a deleted
 *   webhook, so a handful in a quarter hour is a receiver gone or something systematic.
 * - queueAgeSeconds: the delivery queue's oldest message, for 10 minutes. The longest legitimate
 *   wait is one SQS delay (900 s, retries and rate-limit turns); beyond that, workers are not
 *   keeping up (throttled, failing, or maxConcurrency too low for the backlog).
 * - eventsLatencyP99Ms: p99 of the registry's `POST /teams/{team}/events`, for 15 minutes
 *   (cold starts included). Management routes are not in it: a test send waits on the
 *   customer's endpoint for up to the attempt timeout.
 */
export const ALARM_THRESHOLDS = {
  deadLetterMessages: 1,
  deliveriesFailed: 5,
  queueAgeSeconds: 1200,
  apiInternalErrors: 1,
  api5xx: 5,
  eventsLatencyP99Ms: 3000,
  lambdaThrottles: 1,
  apiThrottledRequests: 10,
  lambdaErrors: 1,
} as const;

/** Lambdas whose `Errors` alarm: every one but the authorizer (see the file comment). */
export const FUNCTIONS_WITH_ERROR_ALARMS: readonly FunctionName[] = ['api', 'ingest', 'deliver', 'sweeper'];

/** Settings of {@link Monitoring}. */
export interface MonitoringProps {
  /** Every Lambda, for error and throttle alarms and dashboard graphs. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /** The delivery queue (age alarm, depth graph). */
  readonly queue: sqs.IQueue;
  /** The DLQ (depth graph and alarm). */
  readonly deadLetterQueue: sqs.IQueue;
  /** The REST API (5XX, latency and throttling alarms). */
  readonly api: WebhooksApi;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/** Alarm topic, alarms and dashboard. */
export class Monitoring extends Construct {
  /** Receives every alarm and its recovery; subscribe more endpoints to it as needed. */
  public readonly alarmTopic: sns.Topic;
  /** The key the alarm topic is encrypted with (CloudWatch may use it). */
  public readonly alarmTopicKey: kms.Key;
  /** Every alarm of the stack, by construct id. */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** Deliveries, attempt latency, queues, the API and Lambda errors on one page. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer-managed key, not alias/aws/sns: CloudWatch cannot publish alarms to a topic
    // encrypted with the AWS-managed key, because that key's policy cannot be extended.
    this.alarmTopicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Registry Webhooks alarm topic',
      enableKeyRotation: true,
    });
    this.alarmTopicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Registry Webhooks alarms',
      masterKey: this.alarmTopicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    this.alarms = this.makeAlarms(props);
    this.allowCloudWatchToPublish(Object.values(this.alarms));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(...this.widgets(props));
  }

  /**
   * `enforceSSL` gives the topic a policy of its own, which replaces SNS's default one (that
   * let the account's principals publish): with only its Deny, CloudWatch's alarms could not
   * publish and would fail silently. So the policy allows CloudWatch, for these alarms only.
   */
  private allowCloudWatchToPublish(alarms: cloudwatch.Alarm[]): void {
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': alarms.map((a) => a.alarmArn) },
        },
      }),
    );
  }

  private makeAlarms(props: MonitoringProps): Record<string, cloudwatch.Alarm> {
    const made: Record<string, cloudwatch.Alarm> = {};
    const notify = new actions.SnsAction(this.alarmTopic);
    const t = ALARM_THRESHOLDS;
    const alarm = (alarmId: string, alarmProps: Omit<cloudwatch.AlarmProps, 'comparisonOperator' | 'treatMissingData'>): void => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data is no traffic: nothing failed.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      made[alarmId] = created;
    };
    const own = (metricName: string, period: Duration): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: POWERTOOLS.metricsNamespace, metricName, dimensionsMap: { service: POWERTOOLS.serviceName }, statistic: 'Sum', period });
    const { restApi } = props.api;
    const stage = restApi.deploymentStage;

    alarm('DeadLetterQueueNotEmpty', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: t.deadLetterMessages,
      evaluationPeriods: 1,
      alarmDescription: 'Delivery jobs landed in the dead-letter queue (the worker failed on them 5 times); inspect and redrive them',
    });
    alarm('DeliveryQueueBacklog', {
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: t.queueAgeSeconds,
      evaluationPeriods: 2,
      alarmDescription: `The delivery queue's oldest message is over ${t.queueAgeSeconds / 60} minutes old: deliveries are late (deliver Lambda throttled, failing, or its maxConcurrency too low for the backlog)`,
    });
    alarm('DeliveriesFailing', {
      metric: own(DELIVERY_FAILED_METRIC, Duration.minutes(15)),
      threshold: t.deliveriesFailed,
      evaluationPeriods: 1,
      alarmDescription: `${t.deliveriesFailed}+ deliveries failed for good within 15 minutes (schedule spent, 410 Gone, blocked address); see GET /teams/{team}/deliveries?status=failed and the deliver log`,
    });
    alarm('ApiInternalErrors', {
      metric: own(API_INTERNAL_ERROR_METRIC, Duration.minutes(5)),
      threshold: t.apiInternalErrors,
      evaluationPeriods: 1,
      alarmDescription: 'The api or ingest handler answered 500 on an unexpected error; its log has "request failed" with the error',
    });
    alarm('Api5xx', {
      metric: restApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: t.api5xx,
      evaluationPeriods: 1,
      alarmDescription: 'API Gateway answered 5xx: handler errors, timeouts, an authorizer failing for real (not a bad key), or a Lambda throttled; the access log has errorType and integrationStatus',
    });
    alarm('EventsLatencyHigh', {
      metric: props.api.eventsMethod.metricLatency(stage, { period: Duration.minutes(5), statistic: 'p99' }),
      threshold: t.eventsLatencyP99Ms,
      evaluationPeriods: 3,
      alarmDescription: `p99 of POST /teams/{team}/events over ${t.eventsLatencyP99Ms} ms for 15 minutes: the registry waits; look at the ingest traces (X-Ray) and DynamoDB throttling`,
    });
    const fns = Object.entries(props.functions);
    alarm('LambdaThrottles', {
      metric: new cloudwatch.MathExpression({
        // FILL: a function without invocations reports no Throttles at all, and a sum with a
        // missing term is missing, so one idle function would blind the alarm.
        expression: fns.map((_, i) => `FILL(t${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(fns.map(([, fn], i) => [`t${i}`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })])),
        period: Duration.minutes(5),
        label: 'throttled invocations, all functions',
      }),
      threshold: t.lambdaThrottles,
      evaluationPeriods: 1,
      alarmDescription: 'Lambda throttled invocations of this stack (account or reserved concurrency exhausted); raise the account limit or lower deliverMaxConcurrency',
    });
    alarm('ApiThrottled', {
      metric: props.api.throttledRequests,
      threshold: t.apiThrottledRequests,
      evaluationPeriods: 1,
      alarmDescription: `API Gateway answered 429 to ${t.apiThrottledRequests}+ requests in 5 minutes: the registry is above throttleRateLimit/throttleBurstLimit (it retries; raise the limits if this is normal traffic)`,
    });
    for (const name of FUNCTIONS_WITH_ERROR_ALARMS) {
      const title = name.charAt(0).toUpperCase() + name.slice(1);
      alarm(`${title}Errors`, {
        metric: props.functions[name].metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: t.lambdaErrors,
        evaluationPeriods: 1,
        alarmDescription: `The ${name} Lambda failed (uncaught errors or timeouts); its log group has the error`,
      });
    }
    return made;
  }

  private widgets(props: MonitoringProps): cloudwatch.IWidget[] {
    const own = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: POWERTOOLS.metricsNamespace,
        metricName,
        dimensionsMap: { service: POWERTOOLS.serviceName },
        statistic,
        label,
        period: Duration.minutes(5),
      });
    const { restApi, eventsMethod, throttledRequests } = props.api;
    const stage = restApi.deploymentStage;
    const fns = Object.entries(props.functions);
    const alarmed = fns.filter(([name]) => FUNCTIONS_WITH_ERROR_ALARMS.includes(name as FunctionName));
    return [
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24 }),
      new cloudwatch.GraphWidget({
        title: 'Deliveries',
        left: [own('DeliverySucceeded', 'Sum', 'succeeded'), own(DELIVERY_FAILED_METRIC, 'Sum', 'failed'), own('DeliverySkipped', 'Sum', 'skipped (webhook disabled)')],
        // Webhooks the service disabled (410 Gone, or failing too long); the notification topic says which.
        // The sweeper's re-sends: stranded retries only, so a rise means lost messages or dying workers.
        right: [own('WebhookDisabled', 'Sum', 'webhooks disabled'), own('DeliveriesSwept', 'Sum', 'stranded retries re-sent')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Waiting, not attempts',
        // Messages sent back for later: their webhook had its share of attempts in flight (busy, or
        // marked slow: a hung endpoint's backlog cycles here), or over its rate limit.
        left: [own('DeliveryDeferred', 'Sum', 'deferred: webhook busy'), own('DeliveryDeferredSlow', 'Sum', 'deferred: webhook slow'), own('DeliveryRateLimited', 'Sum', 'over rate limit')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Attempt duration (ms)',
        left: [own('AttemptDurationMs', 'p50', 'p50'), own('AttemptDurationMs', 'p99', 'p99')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queues',
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible({ label: 'delivery queue: visible' }),
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'dead-letter queue' }),
        ],
        right: [props.queue.metricApproximateAgeOfOldestMessage({ label: 'delivery queue: oldest message (s)', statistic: 'Maximum' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'API requests',
        left: [restApi.metricCount({ label: 'requests', statistic: 'Sum' }), restApi.metricClientError({ label: '4xx (incl. bad keys)', statistic: 'Sum' })],
        right: [
          restApi.metricServerError({ label: '5xx', statistic: 'Sum' }),
          own(API_INTERNAL_ERROR_METRIC, 'Sum', 'handler 500s'),
          throttledRequests.with({ label: 'throttled (429)' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [
          restApi.metricLatency({ label: 'all routes p50', statistic: 'p50' }),
          restApi.metricLatency({ label: 'all routes p99', statistic: 'p99' }),
          eventsMethod.metricLatency(stage, { label: 'POST events p99', statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda throttles',
        left: fns.map(([name, fn]) => fn.metricThrottles({ label: name, statistic: 'Sum' })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: alarmed.map(([name, fn]) => fn.metricErrors({ label: name, statistic: 'Sum' })),
        // Not alarmed: every unknown key counts here (the authorizer refuses by throwing).
        right: [props.functions.authorizer.metricErrors({ label: 'authorizer (rejected keys + failures)', statistic: 'Sum' })],
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
