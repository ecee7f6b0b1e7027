#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Stack props can be set as context, e.g.
 * `npx cdk deploy -c secretPrefix=acme-webhooks -c alarmEmail=oncall@example.com`.
 * cdk-nag's AwsSolutions pack runs on every synth; an unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { propsFromContext } from '../lib/context';
import { RegistryWebhooksStack, STACK_NAME } from '../lib/registry-webhooks-stack';

const app = new App();
// Environment-agnostic on purpose: nothing needs a lookup, so one template fits any account
// and region, and `cdk deploy` targets the account and region of the caller's credentials.
new RegistryWebhooksStack(app, STACK_NAME, propsFromContext(app));
// writeSuppressionsToCloudFormation keeps every acknowledgement and its reason in the template
// metadata, an audit trail reviewers can read without the source.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
