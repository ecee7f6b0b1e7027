/**
 * The five Lambdas, each with its own role, log group and only the grants it needs.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedSettings } from './config';
import type { DataTables } from './data';
import { acknowledge, nagSpelling } from './nag';
import type { Notifications } from './notifications';
import type { DeliveryQueues } from './queue';
import { settingsEnvironment, signingEnvironment } from '../lambdas/domain/settings';

/** The Lambdas of the service, named as their handler files are. */
export type FunctionName = 'authorizer' | 'api' | 'ingest' | 'deliver' | 'sweeper';

/** Memory, timeout and purpose of each Lambda. */
export const FUNCTION_SPECS: Readonly<Record<FunctionName, { memoryMb: number; timeout: Duration; description: string }>> = {
  authorizer: { memoryMb: 256, timeout: Duration.seconds(5), description: 'API key to team and role (API Gateway authorizer)' },
  // 29 s: API Gateway's integration timeout; longer would only be cut off by the gateway.
  api: { memoryMb: 512, timeout: Duration.seconds(29), description: 'Management API: keys, secrets, webhooks, automations, deliveries' },
  ingest: { memoryMb: 512, timeout: Duration.seconds(29), description: 'Registry event reports: match automations, record and enqueue deliveries' },
  deliver: { memoryMb: 512, timeout: Duration.seconds(60), description: 'SQS consumer: signs and POSTs deliveries, records attempts, schedules retries' },
  sweeper: { memoryMb: 256, timeout: Duration.seconds(120), description: 'Safety net: re-enqueues retries whose queue message went missing' },
};

/** Timeout of the deliver Lambda; the delivery queue's visibility timeout is derived from it. */
export const DELIVER_TIMEOUT = FUNCTION_SPECS.deliver.timeout;

/** Powertools service name and metrics namespace, also used by the dashboard. */
export const POWERTOOLS = { serviceName: 'registry-webhooks', metricsNamespace: 'RegistryWebhooks' } as const;

/**
 * Lambda runtime and the esbuild target. AWS deprecated nodejs20.x in Lambda on 2026-04-30
 * and blocks creating such functions from 2027-02-01, so the functions run on Node.js 24
 * (the newest Lambda runtime, supported the longest). The bundles are still built for
 * node20 syntax: the same files then load on the Node.js 20 the project develops and
 * benchmarks on, and on 24 in Lambda.
 */
export const LAMBDA_RUNTIME = { runtime: lambda.Runtime.NODEJS_24_X, esbuildTarget: 'node20' } as const;

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * How esbuild bundles every Lambda. bench/cold-start.ts and test/infra/synth-offline.test.ts
 * bundle with these same options (the bench maps them onto esbuild's JS API and refuses
 * options it does not know), so what they measure and check is what the stack deploys.
 */
export const BUNDLING: Readonly<BundlingOptions> = {
  minify: true,
  // No source maps: loading them (--enable-source-maps) costs 10-80 ms of every cold
  // start, and the handlers never log stack traces (only an error's name and message).
  sourceMap: false,
  target: LAMBDA_RUNTIME.esbuildTarget,
  format: OutputFormat.CJS,
  // ES module builds first: the AWS SDK v3 and Powertools ship them next to their CommonJS
  // builds, and only from ES modules can esbuild leave out what a handler never reaches
  // (unused protocols, serde and error classes of the SDK; the metrics code in every handler
  // but deliver). The bundles get about a third smaller, and loading them (mostly V8
  // compiling and running module code) about a third shorter. The output is still CommonJS;
  // packages without a `module` build come from `main` as before, and packages with an
  // `exports` map resolve through it as before.
  mainFields: ['module', 'main'],
  // Lambda gives a function its credentials in the environment: the SDK's default chain
  // (profiles, SSO, process, metadata, with their own STS/SSO clients: 130 KB, 20-30 ms of
  // every cold start) is replaced by the environment provider alone (lambda-credentials.ts).
  esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './lambdas/adapters/aws/lambda-credentials.ts' },
  // Bundle the AWS SDK from package-lock.json instead of using the runtime's copy: the
  // code then runs with exactly the SDK versions it was tested with, and a runtime
  // update cannot change behaviour under a deployed stack.
  externalModules: [],
  // Local esbuild (a dev dependency) only: synth must work offline and without Docker.
  forceDockerBundling: false,
};

/** Settings of {@link Functions}. */
export interface FunctionsProps {
  /** Tables the functions read and write (names go into the environment). */
  readonly tables: DataTables;
  /** The delivery queue: consumed by deliver, written by the others. */
  readonly queues: DeliveryQueues;
  /** The topic told when a webhook is disabled or enabled again: published to by deliver and api. */
  readonly notifications: Notifications;
  /** Resolved stack props (secret prefix, retry schedule, timeouts, concurrency). */
  readonly settings: ResolvedSettings;
}

/** The authorizer, api, ingest, deliver and sweeper Lambdas. */
export class Functions extends Construct {
  /** Every function by name, for alarms and the dashboard. */
  public readonly byName: Readonly<Record<FunctionName, NodejsFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { tables, queues, notifications, settings } = props;

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: POWERTOOLS.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: POWERTOOLS.metricsNamespace,
      // Powertools' own variable (it would also read LOG_LEVEL); the stack prop `logLevel`.
      POWERTOOLS_LOG_LEVEL: settings.logLevel,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CONFIG_TABLE: tables.config.tableName,
      DELIVERIES_TABLE: tables.deliveries.tableName,
      EVENTS_TABLE: tables.events.tableName,
      LIMITS_TABLE: tables.limits.tableName,
      DELIVERY_QUEUE_URL: queues.queue.queueUrl,
      NOTIFICATION_TOPIC_ARN: notifications.topic.topicArn,
      // SECRET_PREFIX, RETRY_SCHEDULE, ATTEMPT_TIMEOUT_MS, DELIVERY_RETENTION_DAYS: written by
      // the module the Lambdas parse them with, so they read back exactly the checked props.
      ...settingsEnvironment(settings),
      // Exemptions from the URL rules are for local development only; deployed stacks have none.
      WEBHOOK_ALLOW_HOSTS: '',
    };

    const make = (name: FunctionName, extra: Record<string, string> = {}): NodejsFunction => this.makeFunction(name, { ...environment, ...extra });
    // Only the Lambdas that sign (test sends, deliveries) are told how long a rotation overlaps.
    const signing = signingEnvironment(settings);
    const authorizer = make('authorizer');
    const api = make('api', signing);
    const ingest = make('ingest');
    const deliver = make('deliver', signing);
    const sweeper = make('sweeper');
    this.byName = { authorizer, api, ingest, deliver, sweeper };

    // Least privilege, per function. The read/write grants include the tables' indexes.
    tables.config.grantReadData(authorizer);

    tables.config.grantReadWriteData(api);
    tables.deliveries.grantReadWriteData(api);
    // The deliveries log renders each payload from the event's record.
    tables.events.grantReadData(api);
    queues.queue.grantSendMessages(api);
    // PATCH enabled: an admin's enable or disable is notified.
    notifications.grantPublish(api.role!);

    tables.config.grantReadData(ingest);
    tables.deliveries.grantReadWriteData(ingest);
    tables.events.grantReadWriteData(ingest);
    queues.queue.grantSendMessages(ingest);

    tables.config.grantReadData(deliver);
    tables.deliveries.grantReadWriteData(deliver);
    // Every attempt renders its body from the event's record.
    tables.events.grantReadData(deliver);
    // Counts attempts in the per-webhook rate windows every deliver Lambda shares.
    tables.limits.grantReadWriteData(deliver);
    // Re-enqueues the next attempt with a delay when it is due within SQS's 15-minute limit.
    queues.queue.grantSendMessages(deliver);
    // Disables a webhook (410 Gone, or failing too long) and says so.
    notifications.grantPublish(deliver.role!);

    tables.deliveries.grantReadWriteData(sweeper);
    queues.queue.grantSendMessages(sweeper);

    // Secrets: only names under `<prefix>/`, never `*` (architecture: Secrets Manager row).
    const secretsUnderPrefix = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${settings.secretPrefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    api.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TeamSecretsUnderPrefix',
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:TagResource',
        ],
        resources: [secretsUnderPrefix],
      }),
    );
    // ListSecrets has no resource-level permissions: AWS only accepts it on "*". The handler
    // filters by the prefix (names only; values still need GetSecretValue under the prefix).
    api.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListSecretNames', actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    deliver.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadTeamSecretsUnderPrefix',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretsUnderPrefix],
      }),
    );
    // Secrets an admin made in the console may be encrypted with a customer-managed key, whose
    // key policy lets the account's IAM policies decide: then reading one needs kms:Decrypt
    // (and writing a new value, the api's PUT, kms:GenerateDataKey). Only when Secrets Manager
    // asks on the function's behalf (kms:ViaService), and only for secrets under the prefix
    // (Secrets Manager puts the secret's ARN in the encryption context), so the grant opens no
    // key to direct use. Secrets under the AWS-managed key need none of this.
    const viaSecretsManager = (sid: string, actions: string[]): iam.PolicyStatement =>
      new iam.PolicyStatement({
        sid,
        actions,
        resources: [this.keysOfAccount()],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` },
          ArnLike: { 'kms:EncryptionContext:SecretARN': secretsUnderPrefix },
        },
      });
    api.addToRolePolicy(viaSecretsManager('TeamSecretKeysViaSecretsManager', ['kms:Decrypt', 'kms:GenerateDataKey']));
    deliver.addToRolePolicy(viaSecretsManager('ReadTeamSecretKeysViaSecretsManager', ['kms:Decrypt']));

    deliver.addEventSource(
      new SqsEventSource(queues.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        // One failed delivery must not make SQS redeliver the whole batch.
        reportBatchItemFailures: true,
        // Bounds load on customer endpoints and on the account's Lambda concurrency.
        maxConcurrency: settings.deliverMaxConcurrency,
      }),
    );

    new events.Rule(this, 'SweeperSchedule', {
      description: 'Every 5 minutes: re-enqueue retries overdue past the queue visibility timeout',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(sweeper)],
    });

    this.acknowledgeWildcards(props, secretsUnderPrefix);
  }

  /** Every KMS key of this account and region: a secret's key is the admin's choice. */
  private keysOfAccount(): string {
    return Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  }

  private makeFunction(name: FunctionName, environment: Record<string, string>): NodejsFunction {
    const spec = FUNCTION_SPECS[name];
    const id = name.charAt(0).toUpperCase() + name.slice(1);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
    // An own role instead of the default one with AWSLambdaBasicExecutionRole: that managed
    // policy may write to every log group of the account; this role only to its own.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `registry-webhooks ${name} Lambda`,
    });
    logGroup.grantWrite(role);
    return new NodejsFunction(this, `${id}Function`, {
      description: spec.description,
      entry: path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME.runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: spec.timeout,
      role,
      logGroup,
      environment,
      // X-Ray: the Lambda service records each invocation, and the handler's Tracer adds its
      // AWS SDK calls and delivery subsegments (lambdas/adapters/tracing.ts).
      tracing: lambda.Tracing.ACTIVE,
      bundling: BUNDLING,
    });
  }

  /** Wildcards that stay, each acknowledged on the one role it belongs to, with its reason. */
  private acknowledgeWildcards({ tables, settings }: FunctionsProps, secretsUnderPrefix: string): void {
    const { authorizer, api, ingest, deliver, sweeper } = this.byName;
    const indexReason =
      'DynamoDB grants cover the table\'s own global secondary indexes (<table>/index/*); the handlers query them and nothing else';
    const indexes = (fn: NodejsFunction, ...tableList: Array<DataTables['config']>): void => {
      for (const table of tableList) {
        acknowledge(fn.role!, `AwsSolutions-IAM5[Resource::${nagSpelling(this, table.tableArn)}/index/*]`, indexReason);
      }
    };
    indexes(authorizer, tables.config);
    indexes(api, tables.config, tables.deliveries);
    indexes(ingest, tables.config, tables.deliveries);
    indexes(deliver, tables.config, tables.deliveries);
    indexes(sweeper, tables.deliveries);

    const prefixArn = nagSpelling(this, secretsUnderPrefix);
    const prefixReason =
      `Team secrets are created at run time as ${settings.secretPrefix}/<team>/<name> (also by admins in the console), so the grant is the prefix, never all secrets`;
    acknowledge(api.role!, `AwsSolutions-IAM5[Resource::${prefixArn}]`, prefixReason);
    acknowledge(deliver.role!, `AwsSolutions-IAM5[Resource::${prefixArn}]`, prefixReason);
    const keysReason =
      `kms:Decrypt (and the api's kms:GenerateDataKey) on the account's keys, only via Secrets Manager and only for secrets under ${settings.secretPrefix}/ (encryption context): console-made secrets may use any customer-managed key`;
    const keysArn = nagSpelling(this, this.keysOfAccount());
    acknowledge(api.role!, `AwsSolutions-IAM5[Resource::${keysArn}]`, keysReason);
    acknowledge(deliver.role!, `AwsSolutions-IAM5[Resource::${keysArn}]`, keysReason);
    // Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which have no
    // resource-level permissions. The api role's "*" also holds ListSecrets: one id, one reason.
    const xrayReason = 'X-Ray (active tracing): xray:PutTraceSegments and xray:PutTelemetryRecords only accept "*"';
    for (const fn of [authorizer, ingest, deliver, sweeper]) acknowledge(fn.role!, 'AwsSolutions-IAM5[Resource::*]', xrayReason);
    acknowledge(
      api.role!,
      'AwsSolutions-IAM5[Resource::*]',
      `${xrayReason}; and secretsmanager:ListSecrets, for which AWS does not support resource-level permissions: it returns names, not values, and the handler filters by the prefix`,
    );
  }
}
