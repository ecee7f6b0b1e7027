/**
 * Hosting of the web console: a private S3 bucket read only by one CloudFront distribution
 * through origin access control, HTTPS only, with a strict Content-Security-Policy and the
 * other security headers on every answer. The console's files are built by esbuild at synth
 * (lambdas/console/build.ts) and uploaded with the API's URL in `config.json`. The API answers
 * CORS for the console's origin only ({@link allowConsoleOrigin}).
 */
import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeConsole } from '../lambdas/console/build';
import { acknowledge, nagSpelling } from './nag';

/** Settings of {@link ConsoleHosting}. */
export interface ConsoleHostingProps {
  /** The API's stage URL, written to the console's `config.json`. */
  readonly apiUrl: string;
  /** The API's origin (`https://<id>.execute-api.<region>.<suffix>`), the only one the CSP lets the page call. */
  readonly apiOrigin: string;
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script),
 * API calls to the API's origin only, no frames, no forms posting elsewhere.
 */
export function consoleContentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** S3 + CloudFront (origin access control) serving the console over HTTPS. */
export class ConsoleHosting extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>/` — stack output `ConsoleUrl`. */
  public readonly url: string;
  /** `https://<distribution domain>`: the origin the API allows by default. */
  public readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Built files only, rebuilt on every deploy: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Registry Webhooks console: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.apiOrigin), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Registry Webhooks console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        // TLS only: plain HTTP is refused, not redirected (a redirect would still be a cleartext hop).
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // The files are small and change with each deploy; the deployment invalidates them.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    const built = writeConsole(mkdtempSync(path.join(tmpdir(), 'rw-console-')));
    new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.asset(built), s3deploy.Source.jsonData('config.json', { apiUrl: props.apiUrl })],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });

    this.acknowledgeRules();
  }

  private acknowledgeRules(): void {
    acknowledge(this.bucket, 'AwsSolutions-S1', 'The bucket holds the console\'s public build output only (no data); requests are logged by CloudFront\'s metrics, and the bucket is read by CloudFront alone');
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'The console is a static sign-in page for a team\'s own API keys; geo restriction is the operator\'s choice');
    acknowledge(this.distribution, 'AwsSolutions-CFR2', 'AWS WAF is optional and the operator\'s choice (cost, rules); the files are static and every API call needs a key');
    acknowledge(this.distribution, 'AwsSolutions-CFR3', 'Access logs of static files would need a log bucket with ACLs; the API\'s own access logs record every call the console makes');
    acknowledge(this.distribution, 'AwsSolutions-CFR4', 'The default *.cloudfront.net certificate cannot pin TLS 1.2 in CloudFormation (minimumProtocolVersion applies to a custom certificate); HTTPS is still the only protocol served');
    // BucketDeployment's upload function is CDK's own singleton, created at stack level; cdk-nag 3
    // wants each IAM5 wildcard acknowledged by name.
    const stack = Stack.of(this);
    const assetObjects = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    const wildcards: Array<[string, string]> = [
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action): [string, string] => [`Action::${action}`, 'reads the console asset CDK staged (CDK-generated grant)']),
      ...['s3:Abort*', 's3:DeleteObject*'].map((action): [string, string] => [`Action::${action}`, 'replaces the console files in the console bucket alone (CDK-generated grant; prune removes old files)']),
      [`Resource::${assetObjects}`, 'reads the staged asset objects of CDK\'s bootstrap bucket (default qualifier)'],
      [`Resource::${nagSpelling(this.bucket, `${this.bucket.bucketArn}/*`)}`, 'writes the objects of the console bucket alone'],
      ['Resource::*', 'CloudFront invalidations have no resource-level permissions (cloudfront:CreateInvalidation, GetInvalidation)'],
    ];
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      acknowledge(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'CDK\'s BucketDeployment function uses the AWS-managed basic execution role for its own CloudWatch Logs only');
      acknowledge(child, 'AwsSolutions-L1', 'CDK\'s BucketDeployment function runtime is pinned by aws-cdk-lib and moves with it');
      for (const [finding, why] of wildcards) acknowledge(child, `AwsSolutions-IAM5[${finding}]`, `CDK's BucketDeployment function (uploads the console at deploy time) ${why}`);
    }
  }
}

/**
 * The API answers CORS for `origin` only: a preflight (`OPTIONS`, no key, a mock answer) on
 * every resource with a route, `Access-Control-Allow-Origin` on the Lambdas' answers (env
 * `CONSOLE_ORIGIN`, read by lambdas/handlers/http/responses.ts), and on API Gateway's own
 * error answers (401 from the authorizer, 429, 413, ...) so the console can read them.
 */
export function allowConsoleOrigin(restApi: apigw.RestApi, handlers: readonly lambda.Function[], origin: string): void {
  const resources = new Set<apigw.IResource>();
  for (const method of restApi.methods) if (method.httpMethod !== 'OPTIONS') resources.add(method.resource);
  for (const resource of resources) {
    // cdk-nag's APIG4/COG4 already exempt OPTIONS methods: nothing to acknowledge here.
    resource.addCorsPreflight({
      allowOrigins: [origin],
      allowHeaders: ['Authorization', 'Content-Type'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      maxAge: Duration.hours(1),
    });
  }
  for (const handler of handlers) handler.addEnvironment('CONSOLE_ORIGIN', origin);
  for (const child of restApi.node.findAll()) {
    if (!(child instanceof apigw.GatewayResponse)) continue;
    const resource = child.node.defaultChild as apigw.CfnGatewayResponse;
    resource.addPropertyOverride('ResponseParameters.gatewayresponse\\.header\\.Access-Control-Allow-Origin', `'${origin}'`);
  }
}
