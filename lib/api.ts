/**
 * The REST API: one resource and method per entry of the route table (lib/routes.ts), a Lambda
 * authorizer, stage `v1` with access logs and throttling, and error answers in the api.md shape.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedSettings } from './config';
import { GATEWAY_RESPONSES } from './gateway-responses';
import { acknowledge } from './nag';
import { ROUTES, type RouteHandler } from '../lambdas/handlers/http/routes';

/** The API's only stage; the base URL ends in it. */
export const STAGE_NAME = 'v1';

/**
 * TLS policy of the API's default (execute-api) endpoint: TLS 1.3 and 1.2 with modern cipher
 * suites only (API Gateway's default for a regional API is TLS_1_0). Enhanced policies need an
 * endpoint access mode; STRICT also refuses requests whose SNI host is not this API's own, which
 * every caller of the documented URL passes.
 */
export const API_SECURITY_POLICY = { securityPolicy: 'SecurityPolicy_TLS13_1_2_2021_06', endpointAccessMode: 'STRICT' } as const;

/**
 * How long API Gateway caches an authorizer answer per key. The architecture caps it at 60 s:
 * a deleted key keeps working at most that long (api.md, DELETE /teams/{team}/keys/{id}).
 */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(60);

/** Settings of {@link WebhooksApi}. */
export interface WebhooksApiProps {
  /** The Lambda behind each route handler name of the route table. */
  readonly handlers: Readonly<Record<RouteHandler, lambda.IFunction>>;
  /** The API key authorizer. */
  readonly authorizer: lambda.IFunction;
  /** Resolved stack props (throttling, CloudWatch role). */
  readonly settings: ResolvedSettings;
}

/** API Gateway REST API built from {@link ROUTES}. */
export class WebhooksApi extends Construct {
  /** The REST API with its `v1` deployment stage. */
  public readonly restApi: apigw.RestApi;
  /** Stage URL without a trailing slash, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1`. */
  public readonly url: string;
  /** The metric filter's count of requests the stage throttled (429), from the access log. */
  public readonly throttledRequests: cloudwatch.Metric;
  /** The method the registry calls, `POST /teams/{team}/events` (its latency is alarmed on). */
  public readonly eventsMethod: apigw.Method;

  constructor(scope: Construct, id: string, props: WebhooksApiProps) {
    super(scope, id);
    const { settings } = props;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });

    // No request validator and no body model: API Gateway's own payload limit is 10 MB, so the
    // 256 KiB limit (413), JSON parsing (400) and content type (415) are enforced in the
    // handlers, which answer in the api.md error shape. The local mode runs the same checks.
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      // Named after the stack, so the console and CloudWatch's ApiName dimension say what it is.
      restApiName: Stack.of(this).stackName,
      description: 'Registry Webhooks API (v1)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Execution logging needs API Gateway's account-level CloudWatch role.
      cloudWatchRole: settings.apiGatewayCloudWatchRole,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        // Execution logs land in a log group API Gateway makes outside the stack, kept forever;
        // INFO writes several lines per request there. ERROR (the default) keeps the why of a
        // gateway-side failure; the access log above has every request for 30 days.
        loggingLevel: EXECUTION_LOG_LEVEL[settings.apiExecutionLogLevel],
        // Request/response bodies would put secret values (PUT .../secrets) into the logs.
        dataTraceEnabled: false,
        // Per-method metrics: the events route's latency is alarmed on by itself.
        metricsEnabled: true,
        // X-Ray: the trace starts here and continues into the authorizer and the Lambdas.
        tracingEnabled: true,
        throttlingRateLimit: settings.throttleRateLimit,
        throttlingBurstLimit: settings.throttleBurstLimit,
      },
    });
    // The URL is the ApiUrl output; the construct's own "Endpoint" output would repeat it.
    this.restApi.node.tryRemoveChild('Endpoint');
    const cfnRestApi = this.restApi.node.defaultChild as apigw.CfnRestApi;
    // aws-cdk-lib 2.276's RestApi has no prop for these yet; the CloudFormation resource does.
    cfnRestApi.securityPolicy = API_SECURITY_POLICY.securityPolicy;
    cfnRestApi.endpointAccessMode = API_SECURITY_POLICY.endpointAccessMode;
    this.throttledRequests = new logs.MetricFilter(this, 'ThrottledRequests', {
      logGroup: accessLogs,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: API_METRICS_NAMESPACE,
      metricName: 'ApiThrottled',
      metricValue: '1',
    }).metric({ statistic: 'Sum', period: Duration.minutes(5) });
    this.url = `https://${this.restApi.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${STAGE_NAME}`;

    const authorizer = new apigw.TokenAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizer,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // The answer is cached per key and reused for every route, so the authorizer's policy
      // covers the whole API; team and role are checked by the handlers from its context.
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    // One integration per Lambda. An API-wide invoke permission (instead of one per method)
    // keeps each Lambda's resource policy far below its 20 KB limit as routes are added.
    const integrations: Record<RouteHandler, apigw.LambdaIntegration> = {
      api: new apigw.LambdaIntegration(props.handlers.api, { proxy: true, scopePermissionToMethod: false }),
      ingest: new apigw.LambdaIntegration(props.handlers.ingest, { proxy: true, scopePermissionToMethod: false }),
    };

    let eventsMethod: apigw.Method | undefined;
    for (const route of ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const isPublic = route.roles.length === 0;
      const method = resource.addMethod(
        route.method,
        integrations[route.handler],
        isPublic
          ? { operationName: route.operation, authorizationType: apigw.AuthorizationType.NONE }
          : { operationName: route.operation, authorizationType: apigw.AuthorizationType.CUSTOM, authorizer },
      );
      if (isPublic) {
        acknowledge(method, 'AwsSolutions-APIG4', `${route.method} ${route.path} is public by contract (api.md): it answers without a key and reveals nothing`);
      }
      acknowledge(method, 'AwsSolutions-COG4', 'Callers are backend services with API keys, checked by the Lambda authorizer; there are no Cognito users');
      if (route.handler === 'ingest') eventsMethod = method;
    }
    if (!eventsMethod) throw new Error('the route table has no ingest route');
    this.eventsMethod = eventsMethod;

    for (const response of GATEWAY_RESPONSES) {
      this.restApi.addGatewayResponse(response.id, {
        type: response.type,
        statusCode: response.statusCode,
        templates: { 'application/json': response.template },
        responseHeaders: response.headers,
      });
    }

    this.acknowledgeRules();
  }

  private acknowledgeRules(): void {
    acknowledge(
      this.restApi,
      'AwsSolutions-APIG2',
      'Request bodies are validated in the handlers (size 256 KiB, JSON, content type, schema) so deployed and local mode answer the same api.md errors',
    );
    acknowledge(
      this.restApi.deploymentStage,
      'AwsSolutions-APIG3',
      'AWS WAF is optional and the operator\'s choice (cost, rules); callers are authenticated backend services and the stage is throttled',
    );
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The AWS-managed policy is the documented one for API Gateway\'s account-level logging role and only allows writing CloudWatch Logs',
      );
    }
  }
}

/** Namespace of the metric the stack derives from the access log (throttled requests). */
export const API_METRICS_NAMESPACE = 'RegistryWebhooks/Api';

const EXECUTION_LOG_LEVEL: Record<ResolvedSettings['apiExecutionLogLevel'], apigw.MethodLoggingLevel> = {
  OFF: apigw.MethodLoggingLevel.OFF,
  ERROR: apigw.MethodLoggingLevel.ERROR,
  INFO: apigw.MethodLoggingLevel.INFO,
};

/** JSON access log line. No headers or bodies: they could carry API keys or secret values. */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      requestTime: f.contextRequestTime(),
      sourceIp: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      path: f.contextPath(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatencyMs: f.contextResponseLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      integrationLatencyMs: f.contextIntegrationLatency(),
      principalId: f.contextAuthorizerPrincipalId(),
      authorizerStatus: f.contextAuthorizerStatus(),
      errorType: f.contextErrorResponseType(),
      // No AccessLogField helper for it in aws-cdk-lib 2.276: who still connects with what TLS.
      tlsVersion: '$context.tlsVersion',
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}
