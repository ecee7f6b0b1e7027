/**
 * Operations-grade properties of the stack: alarms that can reach their topic and fire on what
 * an operator must act on, the dashboard showing the same signals, X-Ray on every Lambda and
 * the stage, log levels and retention, the API's TLS policy, name and outputs, and the KMS
 * grant that lets console-made secrets under a customer-managed key be read. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`) as in stack.test.ts.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_THRESHOLDS } from '../../lib/monitoring';
import { propsFromContext } from '../../lib/context';
import { RegistryWebhooksStack, type RegistryWebhooksStackProps } from '../../lib/registry-webhooks-stack';

type Json = Record<string, any>;
type FunctionName = keyof RegistryWebhooksStack['functions']['byName'];

const cdkContext = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as Json).context as Json;
const FUNCTION_NAMES: FunctionName[] = ['authorizer', 'api', 'ingest', 'deliver', 'sweeper'];

function synth(props: RegistryWebhooksStackProps = {}): { stack: RegistryWebhooksStack; template: Template; resources: Record<string, Json> } {
  const app = new App({ builtinCloudFormationValidation: false, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryWebhooksStack(app, 'RegistryWebhooks', props);
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Record<string, Json> };
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('operations', () => {
  const { stack, template, resources } = synth();
  const id = (construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as never);
  const ofType = (type: string): Array<[string, Json]> => Object.entries(resources).filter(([, r]) => r.Type === type);
  const alarmTopicId = () => id(stack.monitoring.alarmTopic);
  const alarms = () => ofType('AWS::CloudWatch::Alarm');
  const roleStatements = (name: FunctionName): Json[] => {
    const roleId = id(stack.functions.byName[name].role as never);
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
  };
  /** The alarm whose (single) metric is `metricName`, or whose math expression uses it. */
  const alarmOn = (metricName: string): Json[] =>
    alarms()
      .map(([, a]) => a.Properties)
      .filter((a) => a.MetricName === metricName || (a.Metrics ?? []).some((m: Json) => m.MetricStat?.Metric?.MetricName === metricName));

  describe('alarms reach the alarm topic', () => {
    it('the topic policy lets CloudWatch publish, for this account and exactly this stack\'s alarms', () => {
      const [policy] = ofType('AWS::SNS::TopicPolicy')
        .map(([, p]) => p.Properties)
        .filter((p) => JSON.stringify(p.Topics) === JSON.stringify([{ Ref: alarmTopicId() }]));
      expect(policy).toBeDefined();
      const allows = (policy.PolicyDocument.Statement as Json[]).filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      const [allow] = allows;
      expect(allow).toMatchObject({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: alarmTopicId() },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      const sourceArns = list(allow.Condition.ArnEquals['aws:SourceArn']).map((a: Json) => a['Fn::GetAtt'][0]).sort();
      // Every alarm that notifies the topic may publish to it, and nothing else may.
      const notifying = alarms()
        .filter(([, a]) => JSON.stringify(a.Properties.AlarmActions) === JSON.stringify([{ Ref: alarmTopicId() }]))
        .map(([alarmId]) => alarmId)
        .sort();
      expect(notifying.length).toBeGreaterThanOrEqual(10);
      expect(sourceArns).toEqual(notifying);
      // TLS is still required of everyone.
      expect(policy.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    });

    it('the topic is encrypted with its own key, which CloudWatch may use', () => {
      const keyId = id(stack.monitoring.alarmTopicKey);
      expect(resources[alarmTopicId()].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      const statements = resources[keyId].Properties.KeyPolicy.Statement as Json[];
      const cloudWatch = statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com' && s.Effect === 'Allow');
      expect(cloudWatch).toHaveLength(1);
      expect(list(cloudWatch[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    });

    it('every alarm notifies the topic when it fires and when it recovers', () => {
      for (const [alarmId, alarm] of alarms()) {
        expect({ alarmId, actions: alarm.Properties.AlarmActions, ok: alarm.Properties.OKActions }).toEqual({
          alarmId,
          actions: [{ Ref: alarmTopicId() }],
          ok: [{ Ref: alarmTopicId() }],
        });
        expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      }
    });

    it('the notification topic needs no Allow: its publishers are the Lambda roles, allowed by their own policies', () => {
      const topicId = id(stack.notifications.topic);
      const [policy] = ofType('AWS::SNS::TopicPolicy')
        .map(([, p]) => p.Properties)
        .filter((p) => JSON.stringify(p.Topics) === JSON.stringify([{ Ref: topicId }]));
      expect((policy.PolicyDocument.Statement as Json[]).map((s) => s.Effect)).toEqual(['Deny']);
      for (const name of ['api', 'deliver'] as const) {
        const statements = roleStatements(name);
        expect(statements.some((s) => list(s.Action).includes('sns:Publish') && JSON.stringify(s.Resource) === JSON.stringify({ Ref: topicId }))).toBe(true);
        const keyId = resources[topicId].Properties.KmsMasterKeyId['Fn::GetAtt'][0];
        expect(statements.some((s) => list(s.Action).includes('kms:GenerateDataKey*') && JSON.stringify(s.Resource).includes(keyId))).toBe(true);
      }
    });
  });

  describe('alarms mean something', () => {
    const fnId = (name: FunctionName) => id(stack.functions.byName[name]);

    it('deliveries failing: the DeliveryFailed metric', () => {
      const [alarm] = alarmOn('DeliveryFailed');
      expect(alarm).toMatchObject({
        Namespace: 'RegistryWebhooks',
        Dimensions: [{ Name: 'service', Value: 'registry-webhooks' }],
        Statistic: 'Sum',
        Threshold: ALARM_THRESHOLDS.deliveriesFailed,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    it('the delivery queue\'s oldest message, above the longest legitimate delay (900 s)', () => {
      const [alarm] = alarmOn('ApproximateAgeOfOldestMessage');
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(stack.queues.queue), 'QueueName'] } }],
        Statistic: 'Maximum',
      });
      expect(alarm.Threshold).toBeGreaterThan(900);
      expect(alarm.Threshold).toBeLessThanOrEqual(1800);
    });

    it('the DLQ not empty', () => {
      const dlq = alarmOn('ApproximateNumberOfMessagesVisible');
      expect(dlq).toEqual([expect.objectContaining({ Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(stack.queues.deadLetterQueue), 'QueueName'] } }], Threshold: 1 })]);
    });

    it('API Gateway 5XX, and the handlers\' own 500s (ApiInternalError)', () => {
      expect(alarmOn('5XXError')).toEqual([
        expect.objectContaining({ Namespace: 'AWS/ApiGateway', Dimensions: [{ Name: 'ApiName', Value: 'RegistryWebhooks' }], Statistic: 'Sum', Threshold: ALARM_THRESHOLDS.api5xx }),
      ]);
      expect(alarmOn('ApiInternalError')).toEqual([
        expect.objectContaining({ Namespace: 'RegistryWebhooks', Dimensions: [{ Name: 'service', Value: 'registry-webhooks' }], Threshold: 1 }),
      ]);
    });

    it('latency of the registry\'s POST /teams/{team}/events (p99)', () => {
      expect(alarmOn('Latency')).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/ApiGateway',
          ExtendedStatistic: 'p99',
          Threshold: ALARM_THRESHOLDS.eventsLatencyP99Ms,
          Dimensions: expect.arrayContaining([{ Name: 'Method', Value: 'POST' }, { Name: 'Resource', Value: '/teams/{team}/events' }, { Name: 'ApiName', Value: 'RegistryWebhooks' }]),
        }),
      ]);
    });

    it('throttles: any Lambda of the stack (missing data filled with 0), and the stage\'s 429s from the access log', () => {
      const [lambda] = alarmOn('Throttles');
      const stats = (lambda.Metrics as Json[]).filter((m) => m.MetricStat);
      expect(stats.map((m) => m.MetricStat.Metric.Dimensions[0].Value.Ref).sort()).toEqual(FUNCTION_NAMES.map(fnId).sort());
      const expression = (lambda.Metrics as Json[]).find((m) => m.Expression)!.Expression as string;
      for (const m of stats) expect(expression).toContain(`FILL(${m.Id}, 0)`);

      const [filter] = ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
      const accessLogsId = Object.keys(resources).find((k) => k.startsWith('ApiAccessLogs'));
      expect(filter).toMatchObject({ LogGroupName: { Ref: accessLogsId }, FilterPattern: '{ $.status = "429" }' });
      const { MetricName, MetricNamespace } = filter.MetricTransformations[0];
      expect(alarmOn(MetricName)).toEqual([expect.objectContaining({ Namespace: MetricNamespace, Threshold: ALARM_THRESHOLDS.apiThrottledRequests })]);
      // The access log writes the status as a JSON string, which is what the filter compares to.
      const [stage] = ofType('AWS::ApiGateway::Stage');
      expect(JSON.parse(stage[1].Properties.AccessLogSetting.Format).status).toBe('$context.status');
    });

    it('Lambda errors of api, ingest, deliver and sweeper; never the authorizer\'s (every unknown key is one)', () => {
      const errorAlarms = alarmOn('Errors').map((a) => a.Dimensions[0].Value.Ref).sort();
      expect(errorAlarms).toEqual((['api', 'ingest', 'deliver', 'sweeper'] as const).map(fnId).sort());
      for (const [, alarm] of alarms()) {
        const refs = [alarm.Properties.Dimensions ?? [], ...(alarm.Properties.Metrics ?? []).map((m: Json) => m.MetricStat?.Metric?.Dimensions ?? [])].flat();
        const onAuthorizer = refs.some((d: Json) => d.Value?.Ref === fnId('authorizer'));
        // The authorizer appears only in the throttles sum.
        if (onAuthorizer) expect(alarm.Properties.Metrics.some((m: Json) => m.MetricStat?.Metric?.MetricName === 'Throttles')).toBe(true);
      }
    });

    it('the dashboard shows the same signals', () => {
      const [dashboard] = ofType('AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(dashboard[1].Properties.DashboardBody);
      for (const metric of ['DeliveryFailed', 'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', '5XXError', 'ApiInternalError', 'Latency', 'Throttles', 'ApiThrottled', 'Errors']) {
        expect({ metric, shown: body.includes(`\\"${metric}\\"`) }).toEqual({ metric, shown: true });
      }
      // And the alarms' own states.
      for (const [alarmId] of alarms()) expect(body).toContain(alarmId);
    });
  });

  describe('traces', () => {
    it.each(FUNCTION_NAMES)('%s Lambda has active X-Ray tracing and may write traces', (name) => {
      expect(resources[id(stack.functions.byName[name])].Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(roleStatements(name).some((s) => list(s.Action).includes('xray:PutTraceSegments'))).toBe(true);
    });

    it('the API stage is traced', () => {
      const [[, stage]] = ofType('AWS::ApiGateway::Stage');
      expect(stage.Properties.TracingEnabled).toBe(true);
    });
  });

  describe('logs', () => {
    it('every log group of the stack has a finite retention (30 days)', () => {
      const groups = ofType('AWS::Logs::LogGroup');
      expect(groups.length).toBe(6); // five Lambdas and the access log
      for (const [groupId, group] of groups) expect({ groupId, days: group.Properties.RetentionInDays }).toEqual({ groupId, days: 30 });
    });

    it('execution logs at ERROR by default, never with bodies; INFO and OFF on request', () => {
      const levelOf = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::Stage'))[0].Properties.MethodSettings[0];
      expect(levelOf(template)).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false });
      expect(levelOf(synth({ apiExecutionLogLevel: 'INFO' }).template)).toMatchObject({ LoggingLevel: 'INFO', DataTraceEnabled: false });
      expect(levelOf(synth({ apiExecutionLogLevel: 'OFF' }).template)).toMatchObject({ LoggingLevel: 'OFF' });
      expect(() => synth({ apiExecutionLogLevel: 'TRACE' as never })).toThrow(/apiExecutionLogLevel must be one of OFF, ERROR, INFO/);
    });

    it('Lambdas log at POWERTOOLS_LOG_LEVEL, INFO unless the logLevel prop says otherwise', () => {
      for (const name of FUNCTION_NAMES) {
        const variables = resources[id(stack.functions.byName[name])].Properties.Environment.Variables;
        expect(variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
        expect(variables.LOG_LEVEL).toBeUndefined();
      }
      const debug = synth({ logLevel: 'debug' as never });
      for (const fn of Object.values(debug.stack.functions.byName)) {
        expect(debug.resources[debug.stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
      }
      expect(() => synth({ logLevel: 'LOUD' as never })).toThrow(/logLevel must be one of DEBUG, INFO, WARN, ERROR/);
      expect(propsFromContext(new App({ context: { logLevel: 'WARN', apiExecutionLogLevel: 'INFO' } }))).toMatchObject({ logLevel: 'WARN', apiExecutionLogLevel: 'INFO' });
    });
  });

  describe('stack hygiene', () => {
    it('the API is named and accepts TLS 1.2 and 1.3 only (an enhanced policy, strict endpoint access)', () => {
      const [[, api]] = ofType('AWS::ApiGateway::RestApi');
      expect(api.Properties.Name).toBe('RegistryWebhooks');
      // SecurityPolicy_TLS13_1_2_*: TLS 1.3 and 1.2; the regional default, TLS_1_0, also takes 1.0 and 1.1.
      expect(api.Properties.SecurityPolicy).toMatch(/^SecurityPolicy_TLS13_1_2_/);
      expect(api.Properties.EndpointAccessMode).toBe('STRICT');
    });

    it('has no Endpoint output repeating ApiUrl, and exactly the documented outputs', () => {
      expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
        ['ApiUrl', 'ConfigTableName', 'DeliveriesTableName', 'EventsTableName', 'DeliveryQueueUrl', 'DeadLetterQueueUrl', 'SecretPrefix', 'AlarmTopicArn', 'NotificationTopicArn', 'DashboardName', 'ConsoleUrl'].sort(),
      );
    });

    it('api and deliver may use KMS keys for secrets under the prefix, only through Secrets Manager', () => {
      const kmsGrants = (name: FunctionName) =>
        roleStatements(name).filter((s) => list(s.Action).some((a: string) => a.startsWith('kms:')) && s.Condition?.StringEquals?.['kms:ViaService']);
      const expected = { api: ['kms:Decrypt', 'kms:GenerateDataKey'], deliver: ['kms:Decrypt'] } as const;
      for (const [name, actions] of Object.entries(expected) as Array<[FunctionName, readonly string[]]>) {
        const grants = kmsGrants(name);
        expect(grants).toHaveLength(1);
        const [grant] = grants;
        expect(list(grant.Action).sort()).toEqual([...actions]);
        expect(grant.Condition.StringEquals['kms:ViaService']).toEqual({
          'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
        });
        expect(JSON.stringify(grant.Condition.ArnLike['kms:EncryptionContext:SecretARN'])).toContain(':secret:registry-webhooks/*');
        expect(JSON.stringify(grant.Resource)).toContain(':key/*');
      }
      for (const name of ['authorizer', 'ingest', 'sweeper'] as const) expect(kmsGrants(name)).toEqual([]);
      // No other KMS grant of any role reaches beyond a key of this stack.
      for (const name of FUNCTION_NAMES) {
        for (const s of roleStatements(name).filter((st) => list(st.Action).some((a: string) => a.startsWith('kms:')) && !st.Condition?.StringEquals?.['kms:ViaService'])) {
          for (const resource of list(s.Resource)) expect(resources[(resource as Json)['Fn::GetAtt'][0]].Type).toBe('AWS::KMS::Key');
        }
      }
    });
  });
});
