/**
 * cdk-nag's AwsSolutions pack on the stack: nothing unacknowledged, every acknowledgement
 * with a real reason, and no acknowledgement that no longer matches a finding.
 *
 * cdk-nag 3 is a policy-validation plugin, not an Aspect: findings are not annotations but a
 * report (`validateScope`, or `policy-validation-report.json` on synth), and acknowledgements
 * are `Validations.of(scope).acknowledge()` metadata (`aws:cdk:acknowledged-rules`) on the
 * construct tree; with `writeSuppressionsToCloudFormation` they are also copied into each
 * resource's template Metadata as `cdk_nag.rules_to_suppress`.
 */
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryWebhooksStack } from '../../lib/registry-webhooks-stack';

type Json = Record<string, any>;

const cdkContext = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as Json).context as Json;
const MIN_REASON = 10;

function build(outdir?: string): { app: App; stack: RegistryWebhooksStack } {
  const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryWebhooksStack(app, 'RegistryWebhooks');
  return { app, stack };
}

/** Every acknowledgement recorded on the tree: where, which rule, why. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors or warnings', () => {
    const { app } = build();
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets a synth with the plugin registered (as bin/app.ts does) pass, with no annotations', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'rw-nag-'));
    // The console only repeats validation-report.json, which is checked below; Annotations and
    // Template synthesize again, so the mock spans the whole test.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { app, stack } = build(outdir);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
      // In a test process a failed validation makes synth throw.
      expect(() => app.synth()).not.toThrow();
      // No plugin (cdk-nag, CDK's built-in cfn-lint) reports an error. cfn-lint's warnings
      // (e.g. W2531, nodejs20.x deprecation) stay visible on every synth and are not failed on.
      const validation = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Json;
      const errors = (validation.pluginReports as Json[]).flatMap((p) =>
        (p.violations as Json[])
          .filter((v) => v.severity === 'error' || v.severity === 'fatal' || /^E\d+/.test(v.ruleName))
          .map((v) => `${p.pluginName} ${v.ruleName}: ${v.description}`),
      );
      expect(errors).toEqual([]);
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);

      // The audit trail in the template: every suppression carries its reason.
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Json>;
      const suppressions = Object.values(resources).flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Json[]);
      expect(suppressions.length).toBeGreaterThan(0);
      for (const s of suppressions) {
        expect(s.id).toMatch(/^AwsSolutions-/);
        expect(String(s.reason).trim().length).toBeGreaterThanOrEqual(MIN_REASON);
      }
    } finally {
      consoleError.mockRestore();
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('every acknowledgement names an AwsSolutions rule, sits below the stack and has a reason', () => {
    const { app, stack } = build();
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      // Never stack- or app-wide: each is scoped to the construct it is about.
      expect(ack.path.startsWith(`${stack.node.path}/`)).toBe(true);
      expect(ack.reason.trim().length).toBeGreaterThanOrEqual(MIN_REASON);
    }
  });

  it('every acknowledgement is still needed: without them, exactly those findings appear', () => {
    const recorded: Array<{ path: string; id: string }> = [];
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
      const scope = (this as unknown as { scope: IConstruct }).scope;
      for (const rule of rules) recorded.push({ path: scope.node.path, id: rule.id });
    });
    try {
      const { app } = build();
      const report = new AwsSolutionsChecks(undefined).validateScope(app);
      const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
      expect(recorded.length).toBeGreaterThan(0);
      for (const ack of recorded) {
        const matched = findings.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
        expect({ ...ack, matched }).toEqual({ ...ack, matched: true });
      }
      for (const finding of findings) {
        const covered = recorded.some((a) => a.id === finding.id && (finding.path === a.path || finding.path.startsWith(`${a.path}/`)));
        expect({ ...finding, covered }).toEqual({ ...finding, covered: true });
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('acknowledges IAM5 wildcards only for table indexes, the secret prefix, secret keys via Secrets Manager, "*" (X-Ray, ListSecrets) and the notification key\'s data keys', () => {
    const { app } = build();
    const all = acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    // CDK's own BucketDeployment function (it uploads the console): its grants are CDK's, checked apart.
    const isUpload = (a: { path: string }) => /^RegistryWebhooks\/Custom::CDKBucketDeployment[0-9A-F]+/.test(a.path);
    const upload = all.filter(isUpload);
    expect(upload.map((a) => a.id.replace(/^AwsSolutions-IAM5\[(\w+)::.*$/, '$1')).sort()).toEqual(['Action', 'Action', 'Action', 'Action', 'Action', 'Resource', 'Resource', 'Resource']);
    expect(new Set(upload.map((a) => a.path)).size).toBe(1);
    const iam5 = all.filter((a) => !isUpload(a));
    for (const ack of iam5) {
      expect(ack.id).toMatch(
        /^AwsSolutions-IAM5\[(Resource::(<\w+\.Arn>\/index\/\*|arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:registry-webhooks\/\*|arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key\/\*|\*)|Action::kms:GenerateDataKey\*)\]$/,
      );
    }
    // The account's keys only for the two functions that read secrets.
    const keys = iam5.filter((a) => a.id.includes(':kms:<AWS::Region>'));
    expect(keys.map((a) => a.path).sort()).toEqual(['RegistryWebhooks/Functions/ApiRole', 'RegistryWebhooks/Functions/DeliverRole']);
    // The data-key wildcard only where the notification topic is published to.
    const dataKeys = iam5.filter((a) => a.id === 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]');
    expect(dataKeys.map((a) => a.path).sort()).toEqual(['RegistryWebhooks/Functions/ApiRole', 'RegistryWebhooks/Functions/DeliverRole']);
    // "*": X-Ray's actions on every role (active tracing), ListSecrets on the api's.
    const star = iam5.filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    expect(star.map((a) => a.path).sort()).toEqual(['Api', 'Authorizer', 'Deliver', 'Ingest', 'Sweeper'].map((n) => `RegistryWebhooks/Functions/${n}Role`));
    for (const ack of star) expect(ack.reason).toMatch(/X-Ray/);
    // Sanity: the acknowledgements land on real resources' ancestors, not on nothing.
    const paths = new Set(app.node.findAll().filter(CfnResource.isCfnResource).map((c) => c.node.path));
    for (const ack of iam5) expect([...paths].some((p) => p.startsWith(`${ack.path}/`))).toBe(true);
  });
});
