/**
 * CDK assertions for every "must have" of the architecture's AWS resources table. Lambda
 * bundling is skipped (`aws:cdk:bundling-stacks: []`) so the suite stays fast; the app gets
 * cdk.json's feature flags so the template is the one `cdk synth` produces.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../lib/config';
import { propsFromContext } from '../../lib/context';
import { RegistryWebhooksStack, type RegistryWebhooksStackProps } from '../../lib/registry-webhooks-stack';
import { ROUTES } from '../../lambdas/handlers/http/routes';

type Json = Record<string, any>;

const cdkContext = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as Json).context as Json;

function synth(props: RegistryWebhooksStackProps = {}): { stack: RegistryWebhooksStack; template: Template } {
  // cfn-lint validation runs once, in nag.test.ts; here it would only repeat its warnings.
  const app = new App({ builtinCloudFormationValidation: false, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryWebhooksStack(app, 'RegistryWebhooks', props);
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: RegistryWebhooksStack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** Every IAM policy statement of the template, with the logical id of the policy holding it. */
function statements(template: Template): Array<{ policy: string; statement: Json }> {
  const out: Array<{ policy: string; statement: Json }> = [];
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of resource.Properties.PolicyDocument.Statement) out.push({ policy: id, statement });
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of resource.Properties.Policies ?? []) {
      for (const statement of inline.PolicyDocument.Statement) out.push({ policy: id, statement });
    }
  }
  return out;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of the policy attached to one function's role. */
function roleStatements(template: Template, stack: RegistryWebhooksStack, name: keyof RegistryWebhooksStack['functions']['byName']): Json[] {
  const roleId = logicalId(stack, stack.functions.byName[name].role as never);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
}

/** Secrets Manager resource ARN (Fn::Join) flattened to text with `<Ref>` placeholders. */
function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as Json)['Fn::Join'];
  if (join) return (join[1] as unknown[]).map(arnText).join(join[0]);
  if ((resource as Json).Ref) return `<${(resource as Json).Ref}>`;
  if ((resource as Json)['Fn::GetAtt']) return `<${(resource as Json)['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(resource);
}

describe('RegistryWebhooksStack', () => {
  const { stack, template } = synth();
  const fn = (name: keyof typeof stack.functions.byName): Json =>
    template.toJSON().Resources[logicalId(stack, stack.functions.byName[name])];

  describe('DynamoDB tables', () => {
    const tables = () => [stack.tables.config, stack.tables.deliveries, stack.tables.events, stack.tables.limits];

    it('are on-demand, with PITR, encryption, and retained on stack deletion', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 4);
      // Each table's own resource (a match anywhere would let one table slip to DESTROY).
      for (const table of tables()) {
        expect(template.toJSON().Resources[logicalId(stack, table)]).toMatchObject({
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true },
          },
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });

    it('config has pk/sk and the gsi1 index', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });

    it('deliveries are keyed by team and id (the log needs no index), with TTL and only the sparse due index', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'team', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'due',
            KeySchema: [
              { AttributeName: 'dueShard', KeyType: 'HASH' },
              { AttributeName: 'dueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['attemptCount'] },
          }),
        ],
      });
    });

    it('limits (rate windows, in-flight leases) has TTL and no index', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: Match.absent(),
      });
      template.resourceCountIs('AWS::DynamoDB::Table', 4);
    });

    it('events has TTL', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });
  });

  describe('SQS', () => {
    const queueId = () => logicalId(stack, stack.queues.queue);
    const dlqId = () => logicalId(stack, stack.queues.deadLetterQueue);

    it('both queues use SSE and deny requests without TLS', () => {
      for (const id of [queueId(), dlqId()]) {
        expect(template.toJSON().Resources[id].Properties.SqsManagedSseEnabled).toBe(true);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it('redrives to the DLQ after 5 receives; the DLQ keeps messages 14 days', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 5 },
      });
      expect(template.toJSON().Resources[dlqId()].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it('visibility timeout is at least 6x the timeout of the Lambda consuming it', () => {
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(1);
      const [mapping] = mappings;
      const queue = template.toJSON().Resources[mapping.Properties.EventSourceArn['Fn::GetAtt'][0]];
      const consumer = template.toJSON().Resources[mapping.Properties.FunctionName.Ref];
      expect(consumer.Properties.Timeout).toBe(60);
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Properties.Timeout);
    });

    it('alarms to the alarm topic when the DLQ holds a message', () => {
      const topicId = logicalId(stack, stack.monitoring.alarmTopic);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
    });
  });

  describe('deliver Lambda', () => {
    it('consumes the queue with partial batch failures and bounded concurrency', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.queues.queue), 'Arn'] },
        FunctionName: { Ref: logicalId(stack, stack.functions.byName.deliver) },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: DEFAULTS.deliverMaxConcurrency },
      });
    });

    it('has a per-attempt timeout well under its own timeout (and the api Lambda\'s)', () => {
      const deliver = fn('deliver').Properties;
      const attemptMs = Number(deliver.Environment.Variables.ATTEMPT_TIMEOUT_MS);
      expect(attemptMs).toBe(DEFAULTS.attemptTimeoutMs);
      // "Well under": at most a quarter, leaving time to record the attempt and schedule a retry.
      expect(attemptMs * 4).toBeLessThanOrEqual(deliver.Timeout * 1000);
      // The api Lambda sends test deliveries with the same limit and must still answer.
      const api = fn('api').Properties;
      expect(Number(api.Environment.Variables.ATTEMPT_TIMEOUT_MS)).toBe(attemptMs);
      expect(attemptMs + 4000).toBeLessThanOrEqual(api.Timeout * 1000);
    });

    it('alarms on errors', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.functions.byName.deliver) } }],
        AlarmActions: [{ Ref: logicalId(stack, stack.monitoring.alarmTopic) }],
      });
    });
  });

  describe('Lambdas', () => {
    const expected = {
      authorizer: { memory: 256, timeout: 5 },
      api: { memory: 512, timeout: 29 },
      ingest: { memory: 512, timeout: 29 },
      deliver: { memory: 512, timeout: 60 },
      sweeper: { memory: 256, timeout: 120 },
    } as const;

    it.each(Object.entries(expected))('%s: runtime, arch, memory, timeout, log group, environment', (name, spec) => {
      const props = fn(name as keyof typeof expected).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: spec.memory,
        Timeout: spec.timeout,
      });
      const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(props.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'registry-webhooks',
        POWERTOOLS_METRICS_NAMESPACE: 'RegistryWebhooks',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        CONFIG_TABLE: { Ref: logicalId(stack, stack.tables.config) },
        DELIVERIES_TABLE: { Ref: logicalId(stack, stack.tables.deliveries) },
        EVENTS_TABLE: { Ref: logicalId(stack, stack.tables.events) },
        DELIVERY_QUEUE_URL: { Ref: logicalId(stack, stack.queues.queue) },
        SECRET_PREFIX: DEFAULTS.secretPrefix,
        RETRY_SCHEDULE: DEFAULTS.retrySchedule,
        DELIVERY_RETENTION_DAYS: String(DEFAULTS.deliveryRetentionDays),
        WEBHOOK_ALLOW_HOSTS: '',
      });
    });

    it('have no managed policies (own roles, writing only to their own log group)', () => {
      for (const name of Object.keys(expected) as Array<keyof typeof expected>) {
        const roleId = fn(name).Properties.Role['Fn::GetAtt'][0];
        expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
        const logGroupId = fn(name).Properties.LoggingConfig.LogGroup.Ref;
        const logs = roleStatements(template, stack, name).filter((s) => list(s.Action).some((a: string) => a.startsWith('logs:')));
        expect(logs.flatMap((s) => list(s.Resource))).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
      }
    });

    it('get only the table and queue access they need', () => {
      const tableIds = {
        config: logicalId(stack, stack.tables.config),
        deliveries: logicalId(stack, stack.tables.deliveries),
        events: logicalId(stack, stack.tables.events),
        limits: logicalId(stack, stack.tables.limits),
      };
      const access = (name: keyof typeof expected) => {
        const result: Record<string, 'read' | 'write'> = {};
        let sends = false;
        for (const s of roleStatements(template, stack, name)) {
          const actions = list(s.Action) as string[];
          if (actions.includes('sqs:SendMessage')) sends = true;
          if (!actions.some((a) => a.startsWith('dynamodb:'))) continue;
          for (const resource of list(s.Resource)) {
            const text = arnText(resource);
            const table = Object.entries(tableIds).find(([, id]) => text.startsWith(`<${id}.Arn>`))?.[0];
            if (!table) throw new Error(`unexpected DynamoDB resource ${text}`);
            const write = actions.includes('dynamodb:PutItem');
            result[table] = write || result[table] === 'write' ? 'write' : 'read';
          }
        }
        return { tables: result, sends };
      };
      expect(access('authorizer')).toEqual({ tables: { config: 'read' }, sends: false });
      expect(access('api')).toEqual({ tables: { config: 'write', deliveries: 'write', events: 'read' }, sends: true });
      expect(access('ingest')).toEqual({ tables: { config: 'read', deliveries: 'write', events: 'write' }, sends: true });
      // The rate windows every deliver Lambda shares: deliver alone counts in them.
      expect(access('deliver')).toEqual({ tables: { config: 'read', deliveries: 'write', events: 'read', limits: 'write' }, sends: true });
      expect(access('sweeper')).toEqual({ tables: { deliveries: 'write' }, sends: true });
    });

    it('sweeper runs every 5 minutes', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.functions.byName.sweeper), 'Arn'] } })],
      });
    });
  });

  describe('Secrets Manager grants', () => {
    it('are scoped to <prefix>/*, except ListSecrets which AWS only allows on "*"', () => {
      const secretStatements = statements(template).filter(({ statement }) =>
        list(statement.Action).some((a: string) => a.startsWith('secretsmanager:')),
      );
      expect(secretStatements.length).toBeGreaterThanOrEqual(3);
      for (const { statement } of secretStatements) {
        const actions = list(statement.Action) as string[];
        expect(actions.every((a) => !a.includes('*'))).toBe(true);
        for (const resource of list(statement.Resource)) {
          if (resource === '*') {
            expect(actions).toEqual(['secretsmanager:ListSecrets']);
          } else {
            expect(arnText(resource)).toBe('arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:registry-webhooks/*');
          }
        }
      }
    });

    it('go to api (manage) and deliver (read) only', () => {
      const secretActions = (name: keyof typeof stack.functions.byName) =>
        roleStatements(template, stack, name)
          .flatMap((s) => list(s.Action) as string[])
          .filter((a) => a.startsWith('secretsmanager:'))
          .sort();
      expect(secretActions('api')).toEqual([
        'secretsmanager:CreateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecrets',
        'secretsmanager:PutSecretValue',
        'secretsmanager:TagResource',
      ]);
      expect(secretActions('deliver')).toEqual(['secretsmanager:GetSecretValue']);
      for (const name of ['authorizer', 'ingest', 'sweeper'] as const) expect(secretActions(name)).toEqual([]);
    });
  });

  describe('API Gateway', () => {
    const apiId = () => logicalId(stack, stack.api.restApi);

    it('has a TOKEN authorizer on the Authorization header, cached at most 60 s', () => {
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
      });
      const [authorizer] = Object.values(template.findResources('AWS::ApiGateway::Authorizer'));
      expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeGreaterThan(0);
      expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(60);
    });

    it('has stage v1 with JSON access logs, ERROR execution logs without bodies, and throttling', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'v1',
        AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] } },
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: DEFAULTS.throttleRateLimit,
            ThrottlingBurstLimit: DEFAULTS.throttleBurstLimit,
          }),
        ],
      });
      const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format) as Json;
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    });

    it('builds exactly one method per route of ROUTES, with its authorization and Lambda', () => {
      const resources = template.findResources('AWS::ApiGateway::Resource');
      const pathOf = (ref: Json): string => {
        if (ref['Fn::GetAtt']) return '';
        const resource = resources[ref.Ref];
        return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
      };
      // OPTIONS: the console's CORS preflights (test/infra/console-hosting.test.ts).
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties).filter((m) => m.HttpMethod !== 'OPTIONS');
      const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0];
      expect(methods).toHaveLength(ROUTES.length);
      for (const route of ROUTES) {
        const found = methods.filter((m) => m.HttpMethod === route.method && pathOf(m.ResourceId) === route.path);
        expect({ route: route.operation, count: found.length }).toEqual({ route: route.operation, count: 1 });
        const [method] = found;
        expect(method.RestApiId).toEqual({ Ref: apiId() });
        if (route.roles.length === 0) {
          expect(method.AuthorizationType).toBe('NONE');
          expect(method.AuthorizerId).toBeUndefined();
        } else {
          expect(method.AuthorizationType).toBe('CUSTOM');
          expect(method.AuthorizerId).toEqual({ Ref: authorizerId });
        }
        expect(method.Integration.Type).toBe('AWS_PROXY');
        const target = logicalId(stack, stack.functions.byName[route.handler]);
        expect(JSON.stringify(method.Integration.Uri)).toContain(`"${target}"`);
      }
    });

    it('answers gateway errors in the api.md error shape', () => {
      const expectations: Array<[string, string | undefined, string]> = [
        ['UNAUTHORIZED', '401', 'UNAUTHENTICATED'],
        ['ACCESS_DENIED', '403', 'FORBIDDEN'],
        ['THROTTLED', '429', 'THROTTLED'],
        ['REQUEST_TOO_LARGE', '413', 'PAYLOAD_TOO_LARGE'],
        ['DEFAULT_4XX', undefined, 'BAD_REQUEST'],
        ['DEFAULT_5XX', undefined, 'INTERNAL'],
      ];
      const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
      for (const [type, status, code] of expectations) {
        const response = responses.find((r) => r.ResponseType === type);
        expect(response).toBeDefined();
        expect(response!.StatusCode).toBe(status);
        // $context.error.messageString is already a quoted JSON string.
        const body = JSON.parse(
          (response!.ResponseTemplates['application/json'] as string)
            .replace('$context.error.messageString', '"message"')
            .replace('$context.requestId', 'id'),
        ) as Json;
        expect(body).toEqual({ error: { code, message: expect.any(String), details: [], requestId: 'id' } });
      }
    });
  });

  describe('monitoring', () => {
    it('has an encrypted, TLS-only alarm topic, without subscription by default', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('has a dashboard with delivery metrics, queue depths and Lambda errors', () => {
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const text of ['DeliverySucceeded', 'DeliveryFailed', 'DeliverySkipped', 'WebhookDisabled', 'DeliveriesSwept', 'AttemptDurationMs', 'RegistryWebhooks', 'ApproximateNumberOfMessagesVisible', 'Errors']) {
        expect(body).toContain(text);
      }
    });
  });

  describe('notification topic', () => {
    const topicId = () => logicalId(stack, stack.notifications.topic);

    it('is encrypted with a customer-managed key and refuses publishing without TLS', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Registry Webhooks notifications', KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId() }],
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        }),
      });
    });

    it('deliver and api may publish to it (and only they), and are told where it is', () => {
      const publishes = (name: 'authorizer' | 'api' | 'ingest' | 'deliver' | 'sweeper') =>
        roleStatements(template, stack, name).some((s) => list(s.Action).includes('sns:Publish') && list(s.Resource).some((r) => JSON.stringify(r).includes(topicId())));
      expect((['authorizer', 'api', 'ingest', 'deliver', 'sweeper'] as const).filter(publishes)).toEqual(['api', 'deliver']);
      for (const name of ['api', 'deliver'] as const) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: Match.absent(),
          Description: Match.stringLikeRegexp(name === 'api' ? 'Management API' : 'SQS consumer'),
          Environment: { Variables: Match.objectLike({ NOTIFICATION_TOPIC_ARN: { Ref: topicId() } }) },
        });
      }
    });
  });

  it('has every output, each with a description', () => {
    const outputs = template.findOutputs('*');
    for (const name of [
      'ApiUrl',
      'ConfigTableName',
      'DeliveriesTableName',
      'EventsTableName',
      'DeliveryQueueUrl',
      'DeadLetterQueueUrl',
      'SecretPrefix',
      'AlarmTopicArn',
      'NotificationTopicArn',
      'DashboardName',
    ]) {
      expect(outputs[name]).toBeDefined();
      expect(String(outputs[name].Description).length).toBeGreaterThan(10);
    }
    expect(arnText(outputs.ApiUrl.Value)).toMatch(/^https:\/\/<.+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/v1$/);
  });
});

describe('RegistryWebhooksStack props', () => {
  it('a custom secretPrefix flows into the grants, the environment and the output', () => {
    const { stack, template } = synth({ secretPrefix: 'acme/hooks' });
    const secretResources = statements(template)
      .filter(({ statement }) => list(statement.Action).some((a: string) => a.startsWith('secretsmanager:')))
      .flatMap(({ statement }) => list(statement.Resource))
      .filter((r) => r !== '*')
      .map(arnText);
    expect(secretResources.length).toBeGreaterThanOrEqual(2);
    for (const resource of secretResources) expect(resource).toMatch(/:secret:acme\/hooks\/\*$/);
    expect(JSON.stringify(template.toJSON())).not.toContain('secret:registry-webhooks');
    for (const fn of Object.values(stack.functions.byName)) {
      const props = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties;
      expect(props.Environment.Variables.SECRET_PREFIX).toBe('acme/hooks');
    }
    template.hasOutput('SecretPrefix', { Value: 'acme/hooks' });
  });

  it('passes the other props through', () => {
    const { template } = synth({
      retrySchedule: '1,2,3',
      attemptTimeoutMs: 5000,
      deliveryRetentionDays: 7,
      deliverMaxConcurrency: 3,
      throttleRateLimit: 5,
      throttleBurstLimit: 7,
      alarmEmail: 'oncall@example.com',
      apiGatewayCloudWatchRole: false,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RETRY_SCHEDULE: '1,2,3', ATTEMPT_TIMEOUT_MS: '5000', DELIVERY_RETENTION_DAYS: '7' }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 7 })],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('gives the rotation overlap to the Lambdas that sign (api: test sends; deliver) and to no other', () => {
    const overlapOf = (stack: RegistryWebhooksStack, template: Template) => Object.fromEntries(
      Object.entries(stack.functions.byName).map(([name, fn]) => [
        name,
        template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables.SECRET_ROTATION_OVERLAP_SECONDS,
      ]),
    );
    const defaults = synth();
    expect(overlapOf(defaults.stack, defaults.template)).toEqual({ authorizer: undefined, api: '86400', ingest: undefined, deliver: '86400', sweeper: undefined });
    expect(DEFAULTS.secretRotationOverlapSeconds).toBe(86400);
    const custom = synth({ secretRotationOverlapSeconds: 0 });
    expect(overlapOf(custom.stack, custom.template)).toMatchObject({ api: '0', deliver: '0' });
    expect(propsFromContext(new App({ context: { secretRotationOverlapSeconds: '3600' } })).secretRotationOverlapSeconds).toBe(3600);
  });

  it('writes a decimal retry schedule as the Lambdas read it (spaces around entries dropped)', () => {
    const { template } = synth({ retrySchedule: ' 0.5, 2 ,.25' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RETRY_SCHEDULE: '0.5,2,.25' }) },
    });
  });

  it.each([
    [{ attemptTimeoutMs: 60000 }, /attemptTimeoutMs/],
    [{ attemptTimeoutMs: 25001 }, /attemptTimeoutMs must be an integer between 100 and 25000/],
    [{ deliveryRetentionDays: 0 }, /deliveryRetentionDays/],
    [{ retrySchedule: '86401' }, /retrySchedule/],
    [{ deliverMaxConcurrency: 1 }, /deliverMaxConcurrency/],
    [{ retrySchedule: '5,soon' }, /retrySchedule/],
    [{ secretPrefix: 'trailing/' }, /secretPrefix/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ secretRotationOverlapSeconds: -1 }, /secretRotationOverlapSeconds must be an integer between 0 and 2592000/],
    [{ secretRotationOverlapSeconds: 2_592_001 }, /secretRotationOverlapSeconds/],
    [{ secretRotationOverlapSeconds: 1.5 }, /secretRotationOverlapSeconds/],
  ])('rejects %j', (props, message) => {
    expect(() => synth(props as RegistryWebhooksStackProps)).toThrow(message);
  });

  it('reads props from CDK context (strings, as `-c key=value` passes them)', () => {
    const app = new App({
      context: { secretPrefix: 'ctx-prefix', attemptTimeoutMs: '8000', deliverMaxConcurrency: '4', apiGatewayCloudWatchRole: 'false' },
    });
    expect(propsFromContext(app)).toMatchObject({
      secretPrefix: 'ctx-prefix',
      attemptTimeoutMs: 8000,
      deliverMaxConcurrency: 4,
      apiGatewayCloudWatchRole: false,
      retrySchedule: undefined,
    });
    expect(() => propsFromContext(new App({ context: { throttleRateLimit: 'fast' } }))).toThrow(/throttleRateLimit/);
  });
});
