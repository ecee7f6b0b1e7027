/**
 * The synthesized Lambda bundles: which asset directory belongs to which handler, and which
 * AWS SDK clients a (minified) bundle contains.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../../bench/cold-start';
import { FUNCTION_SPECS, type FunctionName } from '../../../lib/functions';

export const HANDLERS: readonly FunctionName[] = ['authorizer', 'api', 'ingest', 'deliver', 'sweeper'];

/** The SDK clients the handlers may use. */
export type SdkClient = 'DynamoDB' | 'SQS' | 'Secrets Manager' | 'SNS';

/** What identifies a client in a bundle, and how to make a bundle with that client alone. */
interface ClientSpec {
  readonly packageName: string;
  readonly className: string;
  /** Patterns that are all in a bundle containing the client, and none in one without it. */
  readonly markers: readonly RegExp[];
}

/**
 * Markers of a client are strings of the client's own configuration, which a bundle holds
 * exactly when the client class is in it (not merely a command or a model of the service):
 *  - the default endpoint of its endpoint rule set, `https://<prefix>.{Region}.{PartitionResult#dnsSuffix}`
 *    (with the quotes and `https://`, so `search-dynamodb` or `sqs-fips` do not count);
 *  - its SigV4 signing name, `defaultSigningName:"<name>"` (set by the client's auth config).
 * String literals survive minification, and both live in client code no other package
 * shares. Names such as the serviceId ("SQS", "DynamoDB") do not work: Powertools' batch
 * package has an `SQS: "SQS"` event type, and the Smithy shape namespace
 * (`com.amazonaws.secretsmanager#`) is also in a bundle that imports only a command.
 *
 * The markers are checked on every run (synth-offline.test.ts) against bundles of one client
 * each, built with the stack's bundling options: each client's markers must all be in its own
 * bundle and none of them in the others' (which hold all the SDK code the clients share,
 * including the STS/SSO clients of the credential chain). Checked by hand once too, on
 * client-dynamodb 3.1169, client-sqs 3.1175 and client-secrets-manager 3.1164, with and
 * without `mainFields: ['module', 'main']`: each marker occurs exactly once in its client's
 * bundle and never elsewhere.
 */
export const SDK_CLIENTS: Readonly<Record<SdkClient, ClientSpec>> = {
  DynamoDB: { packageName: '@aws-sdk/client-dynamodb', className: 'DynamoDBClient', markers: clientMarkers('dynamodb', 'dynamodb') },
  SQS: { packageName: '@aws-sdk/client-sqs', className: 'SQSClient', markers: clientMarkers('sqs', 'sqs') },
  'Secrets Manager': { packageName: '@aws-sdk/client-secrets-manager', className: 'SecretsManagerClient', markers: clientMarkers('secretsmanager', 'secretsmanager') },
  SNS: { packageName: '@aws-sdk/client-sns', className: 'SNSClient', markers: clientMarkers('sns', 'sns') },
};

export const CLIENT_NAMES = Object.keys(SDK_CLIENTS) as SdkClient[];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function clientMarkers(endpointPrefix: string, signingName: string): RegExp[] {
  return [
    new RegExp(`["'\`]${escape(`https://${endpointPrefix}.{Region}.{PartitionResult#dnsSuffix}`)}["'\`]`),
    new RegExp(`defaultSigningName\\s*:\\s*["'\`]${escape(signingName)}["'\`]`),
  ];
}

/** Which clients a bundle's code contains; a client with only some of its markers is reported apart. */
export function clientsIn(code: string): { present: SdkClient[]; partial: Array<{ client: SdkClient; found: string[]; missing: string[] }> } {
  const present: SdkClient[] = [];
  const partial: Array<{ client: SdkClient; found: string[]; missing: string[] }> = [];
  for (const client of CLIENT_NAMES) {
    const markers = SDK_CLIENTS[client].markers;
    const found = markers.filter((marker) => marker.test(code)).map(String);
    if (found.length === markers.length) present.push(client);
    else if (found.length > 0) partial.push({ client, found, missing: markers.filter((marker) => !marker.test(code)).map(String) });
  }
  return { present, partial };
}

/** Bundles `contents` (TypeScript, resolved from `resolveDir`) with the stack's bundling options. */
export async function bundleSource(contents: string, resolveDir: string): Promise<string> {
  const result = await build({
    ...esbuildOptions(),
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'probe.ts' },
    outfile: path.join(resolveDir, 'probe-bundle.js'),
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

/** A bundle that makes one client, as the adapters in lambdas/adapters/aws do. */
export function clientProbeSource(client: SdkClient): string {
  const { packageName, className } = SDK_CLIENTS[client];
  return `import { ${className} } from '${packageName}';\nexport const client = new ${className}({ region: 'us-east-1', maxAttempts: 3 });\n`;
}

/** One synthesized function: its handler, logical id and bundle. */
export interface HandlerAsset {
  handler: FunctionName;
  logicalId: string;
  assetDir: string;
  bundle: string;
}

type Resource = { Type: string; Properties?: Record<string, any> };

/**
 * Maps each handler to its asset directory through the template: a function's Code.S3Key is
 * `<asset hash>.zip`, its bundle is `asset.<asset hash>/index.js`, and its Description is the
 * one FUNCTION_SPECS gives the handler (cross-checked against the logical id). Functions that
 * are no handler of ours (CDK's own, if any) are left out.
 */
export function handlerAssets(outDir: string, template: { Resources: Record<string, Resource> }): Map<FunctionName, HandlerAsset> {
  const assets = new Map<FunctionName, HandlerAsset>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const handler = HANDLERS.find((name) => FUNCTION_SPECS[name].description === resource.Properties?.Description);
    if (!handler) continue;
    const id = handler.charAt(0).toUpperCase() + handler.slice(1);
    if (!logicalId.includes(`${id}Function`)) throw new Error(`${logicalId} has the description of ${handler} but not its logical id (…${id}Function…)`);
    const s3Key = resource.Properties?.Code?.S3Key;
    const hash = typeof s3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(s3Key)?.[1] : undefined;
    if (!hash) throw new Error(`${logicalId}: Code.S3Key is not "<asset hash>.zip": ${JSON.stringify(s3Key)}`);
    if (assets.has(handler)) throw new Error(`two functions carry the description of ${handler}`);
    const assetDir = `asset.${hash}`;
    assets.set(handler, { handler, logicalId, assetDir, bundle: path.join(outDir, assetDir, 'index.js') });
  }
  const missing = HANDLERS.filter((name) => !assets.has(name));
  if (missing.length > 0) throw new Error(`no function in the template for ${missing.join(', ')}`);
  return assets;
}

/** The bundle's code. */
export function readBundle(asset: HandlerAsset): string {
  return readFileSync(asset.bundle, 'utf8');
}
