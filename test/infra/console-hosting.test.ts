/**
 * The console's hosting in the stack: TLS only, no public bucket, CloudFront reads the bucket
 * through origin access control alone, a strict CSP, output `ConsoleUrl`, and CORS on the API
 * for the console's origin only (the default, or the `consoleOrigin` prop).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { propsFromContext } from '../../lib/context';
import { RegistryWebhooksStack, type RegistryWebhooksStackProps } from '../../lib/registry-webhooks-stack';
import { ROUTES } from '../../lambdas/handlers/http/routes';

type Json = Record<string, any>;

const cdkContext = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as Json).context as Json;

function synth(props: RegistryWebhooksStackProps = {}): { stack: RegistryWebhooksStack; template: Template } {
  const app = new App({ builtinCloudFormationValidation: false, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryWebhooksStack(app, 'RegistryWebhooks', props);
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const single = (type: string): Json => {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0].Properties;
};
const distributionId = () => stack.getLogicalId(stack.console.distribution.node.defaultChild as never);
const bucketId = () => stack.getLogicalId(stack.console.bucket.node.defaultChild as never);
/** The default console origin, as CloudFormation spells it. */
const defaultOrigin = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }]] });
/** The same in single quotes: an API Gateway header mapping's literal. */
const quotedDefaultOrigin = () => ({ 'Fn::Join': ['', ["'https://", { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, "'"]] });

describe('the bucket', () => {
  test('blocks every kind of public access, is encrypted and refuses plain HTTP', () => {
    const bucket = single('AWS::S3::Bucket');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.WebsiteConfiguration).toBeUndefined(); // not an S3 website: CloudFront is the only way in
    const policy = single('AWS::S3::BucketPolicy');
    const statements = policy.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }));
  });

  test('is read by CloudFront through origin access control, for this distribution only, and by no one else', () => {
    const statements = single('AWS::S3::BucketPolicy').PolicyDocument.Statement as Json[];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows;
    expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allow.Action).toBe('s3:GetObject');
    expect(JSON.stringify(allow.Condition.StringEquals['AWS:SourceArn'])).toContain(distributionId());
    const oac = single('AWS::CloudFront::OriginAccessControl');
    expect(oac.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
  });
});

describe('the distribution', () => {
  const config = () => single('AWS::CloudFront::Distribution').DistributionConfig;

  test('serves HTTPS only, from the bucket through its origin access control, GET and HEAD only', () => {
    const { DefaultCacheBehavior, Origins, DefaultRootObject } = config();
    expect(DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(DefaultRootObject).toBe('index.html');
    expect(Origins).toHaveLength(1);
    expect(Origins[0].DomainName).toEqual({ 'Fn::GetAtt': [bucketId(), 'RegionalDomainName'] });
    expect(Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
    // The legacy origin access identity grants nothing here.
    expect(Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  test('sends a strict Content-Security-Policy (no inline script, API calls to this API only) and HSTS', () => {
    const policy = single('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(policy.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    const apiId = stack.getLogicalId(stack.api.restApi.node.defaultChild as never);
    expect(csp).toContain(`connect-src 'self' https://`);
    expect(csp).toContain(apiId);
    expect(policy.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31536000, Override: true });
    expect(policy.ContentTypeOptions).toEqual({ Override: true });
    expect(policy.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  test('the console files are uploaded with the API URL in config.json, and ConsoleUrl is the HTTPS address', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployment).toHaveLength(1);
    expect(deployment[0].Properties.DestinationBucketName).toEqual({ Ref: bucketId() });
    expect(deployment[0].Properties.DistributionPaths).toEqual(['/*']);
    template.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, '/']] } });
  });
});

describe('CORS on the API', () => {
  const preflights = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties).filter((m) => m.HttpMethod === 'OPTIONS');

  test('a keyless mock preflight on each resource with a route, allowing the console origin alone', () => {
    const found = preflights(template);
    expect(found).toHaveLength(new Set(ROUTES.map((route) => route.path)).size);
    for (const method of found) {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.Integration.Type).toBe('MOCK');
      const params = method.Integration.IntegrationResponses[0].ResponseParameters;
      expect(params['method.response.header.Access-Control-Allow-Origin']).toEqual(quotedDefaultOrigin());
      expect(params['method.response.header.Access-Control-Allow-Headers']).toBe("'Authorization,Content-Type'");
    }
  });

  test("the api and ingest Lambdas answer with the console origin, and so do API Gateway's own errors", () => {
    for (const name of ['api', 'ingest'] as const) {
      const fn = template.findResources('AWS::Lambda::Function')[stack.getLogicalId(stack.functions.byName[name].node.defaultChild as never)];
      expect(fn.Properties.Environment.Variables.CONSOLE_ORIGIN).toEqual(defaultOrigin());
    }
    const other = template.findResources('AWS::Lambda::Function')[stack.getLogicalId(stack.functions.byName.deliver.node.defaultChild as never)];
    expect(other.Properties.Environment.Variables.CONSOLE_ORIGIN).toBeUndefined();
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) {
      expect(response.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toEqual(quotedDefaultOrigin());
    }
  });

  test('the consoleOrigin prop (or -c consoleOrigin=…) replaces the default everywhere', () => {
    const custom = synth({ consoleOrigin: 'https://console.example.com' });
    for (const method of preflights(custom.template)) {
      expect(method.Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe("'https://console.example.com'");
    }
    const api = custom.template.findResources('AWS::Lambda::Function')[custom.stack.getLogicalId(custom.stack.functions.byName.api.node.defaultChild as never)];
    expect(api.Properties.Environment.Variables.CONSOLE_ORIGIN).toBe('https://console.example.com');
    const app = new App({ context: { consoleOrigin: 'https://console.example.com' } });
    expect(propsFromContext(app).consoleOrigin).toBe('https://console.example.com');
  });

  test.each(['http://console.example.com', 'https://console.example.com/path', '*', 'console.example.com'])('refuses consoleOrigin %s at synth', (origin) => {
    expect(() => synth({ consoleOrigin: origin })).toThrow(/consoleOrigin .* must be an origin/);
  });
});
