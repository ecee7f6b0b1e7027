/**
 * `npx cdk synth` works with networking off: run inside a fresh network namespace
 * (`unshare -n -r`: no interfaces but a downed loopback), it must bundle every Lambda with
 * the local esbuild (no Docker, no downloads) and write the template.
 *
 * The one synth (about a minute) then serves the checks on what it bundled:
 *  - each handler's bundle holds exactly the AWS SDK clients the handler calls;
 *  - bench/cold-start.ts bundles byte for byte what the stack deploys;
 *  - the bundles themselves (not the TypeScript the other suites run) work against the local
 *    engines: every handler, every SDK client, end to end.
 */
import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { build, stop as stopEsbuild } from 'esbuild';
import { esbuildOptions } from '../../bench/cold-start';
import type { FunctionName } from '../../lib/functions';
import { matchRoute } from '../../lambdas/handlers/http/routes';
import { startReceiver, type Receiver } from '../integration/support/receiver';
import {
  bundleSource,
  CLIENT_NAMES,
  clientProbeSource,
  clientsIn,
  handlerAssets,
  HANDLERS,
  readBundle,
  SDK_CLIENTS,
  type HandlerAsset,
  type SdkClient,
} from './support/bundles';
import type { EnginesReady } from './support/engines-process';

const ROOT = path.resolve(__dirname, '../..');

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

let out: string | undefined;
let template: Template;
let assets: Map<FunctionName, HandlerAsset>;

beforeAll(() => {
  const probe = spawnSync('unshare', ['-n', '-r', 'true']);
  if (probe.status !== 0) throw new Error(`cannot make a network namespace here (unshare -n -r): ${probe.stderr?.toString()}`);
  out = mkdtempSync(path.join(os.tmpdir(), 'rw-synth-'));
  execFileSync('unshare', ['-n', '-r', 'npx', 'cdk', 'synth', '--no-notices', '-q', '-o', out], {
    cwd: ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', CDK_DISABLE_VERSION_CHECK: '1' },
    stdio: 'pipe',
    timeout: 240_000,
  });
  template = JSON.parse(readFileSync(path.join(out, 'RegistryWebhooks.template.json'), 'utf8')) as Template;
  assets = handlerAssets(out, template);
}, 300_000);

afterAll(async () => {
  // The esbuild JS API keeps a service process; Jest would wait for it.
  await stopEsbuild();
  if (out) rmSync(out, { recursive: true, force: true });
});

test('cdk synth succeeds with no network', () => {
  const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThanOrEqual(5);
  const bundles = readdirSync(out!).filter((entry) => entry.startsWith('asset.') && existsSync(path.join(out!, entry, 'index.js')));
  expect(bundles.length).toBeGreaterThanOrEqual(5);
});

describe('AWS SDK clients in the bundles', () => {
  /**
   * The clients each handler calls (lambdas/adapters/wiring/ builds only what a handler uses):
   * ingest and sweeper never read or write secrets; api and deliver notify (SNS).
   */
  const EXPECTED: Readonly<Record<FunctionName, readonly SdkClient[]>> = {
    authorizer: ['DynamoDB'],
    ingest: ['DynamoDB', 'SQS'],
    sweeper: ['DynamoDB', 'SQS'],
    api: ['DynamoDB', 'SQS', 'Secrets Manager', 'SNS'],
    deliver: ['DynamoDB', 'SQS', 'Secrets Manager', 'SNS'],
  };

  test('the markers find each client in a bundle of that client alone, and no other client', async () => {
    const found: Record<string, SdkClient[]> = {};
    for (const client of CLIENT_NAMES) {
      // Resolved from the project root, as a handler's import is.
      const code = await bundleSource(clientProbeSource(client), ROOT);
      const { present, partial } = clientsIn(code);
      expect({ bundle: `${SDK_CLIENTS[client].className} alone`, partial }).toEqual({ bundle: `${SDK_CLIENTS[client].className} alone`, partial: [] });
      found[client] = present;
    }
    expect(found).toEqual(Object.fromEntries(CLIENT_NAMES.map((client) => [client, [client]])));
  }, 120_000);

  test.each(HANDLERS)('%s bundles exactly the SDK clients it calls', (handler) => {
    const asset = assets.get(handler)!;
    const { present, partial } = clientsIn(readBundle(asset));
    const where = `${asset.assetDir}/index.js (${asset.logicalId})`;
    const problems = [
      ...present.filter((client) => !EXPECTED[handler].includes(client))
        .map((client) => `${handler}: unexpected ${client} client in ${where}; ${handler} does not call ${client}, so its bundle should not carry that client`),
      ...EXPECTED[handler].filter((client) => !present.includes(client))
        .map((client) => `${handler}: ${client} client missing from ${where}, but ${handler} calls ${client}`),
      ...partial.map(({ client, found, missing }) =>
        `${handler}: only some markers of the ${client} client in ${where} (found ${found.join(', ')}; not ${missing.join(', ')}): check the markers in test/infra/support/bundles.ts`),
    ];
    expect(problems).toEqual([]);
  });
});

test('bench/cold-start.ts bundles each handler byte for byte as the stack does', async () => {
  const differing: string[] = [];
  for (const handler of HANDLERS) {
    const asset = assets.get(handler)!;
    const result = await build({
      ...esbuildOptions(),
      entryPoints: [path.join(ROOT, 'lambdas', 'handlers', `${handler}.ts`)],
      outfile: path.join(os.tmpdir(), 'rw-bench-compare', 'index.js'),
      write: false,
      logLevel: 'error',
      absWorkingDir: ROOT,
    });
    const bench = result.outputFiles[0].text;
    const stack = readBundle(asset);
    if (bench !== stack) differing.push(`${handler}: the bench's bundle has ${bench.length} characters, ${asset.assetDir}/index.js ${stack.length}`);
  }
  expect(differing).toEqual([]);
}, 120_000);

describe('the synthesized bundles against the local engines', () => {
  const TEAM = 'bundles';
  let engines: EnginesReady;
  let enginesProcess: ChildProcess | undefined;
  let dataDir: string;
  let receiver: Receiver;
  let runner: ChildProcess;
  let runnerStderr = '';
  let queueUrl: string;
  let queueArn: string;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();

  /** Invokes a handler of its bundle in the runner (a fresh `node`, as in Lambda). */
  function invoke<T>(handler: FunctionName, event: unknown): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      runner.send({ id, handler, event });
    });
  }

  /** An API Gateway proxy event for a route, with the authorizer's context as API Gateway passes it. */
  function apiEvent(method: string, requestPath: string, caller: { team: string; role: string } | null, body?: unknown): APIGatewayProxyEvent {
    const matched = matchRoute(method, requestPath);
    if (!matched || matched === 'method-not-allowed') throw new Error(`no route ${method} ${requestPath}`);
    return {
      httpMethod: method,
      path: requestPath,
      resource: matched.route.path,
      pathParameters: Object.keys(matched.pathParameters).length ? matched.pathParameters : null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      multiValueHeaders: {},
      body: body === undefined ? null : JSON.stringify(body),
      isBase64Encoded: false,
      stageVariables: null,
      requestContext: { authorizer: caller ? { ...caller, keyId: 'test' } : null, resourcePath: matched.route.path, httpMethod: method, stage: 'v1' } as never,
    };
  }

  async function call(handler: 'api' | 'ingest', method: string, requestPath: string, caller: { team: string; role: string } | null, body?: unknown) {
    const answer = await invoke<APIGatewayProxyResult>(handler, apiEvent(method, requestPath, caller, body));
    return { status: answer.statusCode, body: answer.body ? JSON.parse(answer.body) : null };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'rw-bundles-'));
    const started = fork(path.join(__dirname, 'support', 'engines-process.ts'), [dataDir], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    enginesProcess = started;
    let enginesStderr = '';
    started.stderr!.on('data', (chunk: Buffer) => { enginesStderr += chunk.toString('utf8'); });
    engines = await new Promise<EnginesReady>((resolve, reject) => {
      started.once('message', (message: EnginesReady) => resolve(message));
      started.once('exit', (code) => reject(new Error(`engines exited (${code}): ${enginesStderr}`)));
    });
    ({ queueUrl, queueArn } = engines);
    receiver = await startReceiver();

    // The environment the stack gives the functions, with the local tables and queue for its references.
    const stackEnv = template.Resources[assets.get('deliver')!.logicalId].Properties!.Environment.Variables as Record<string, unknown>;
    const references: Record<string, string> = {
      CONFIG_TABLE: engines.tables.config, DELIVERIES_TABLE: engines.tables.deliveries, EVENTS_TABLE: engines.tables.events, LIMITS_TABLE: engines.tables.limits, DELIVERY_QUEUE_URL: queueUrl,
      // No SNS engine locally: without a topic the bundles notify by log line, as local mode does (this flow disables nothing).
      NOTIFICATION_TOPIC_ARN: '',
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(stackEnv)) {
      if (typeof value === 'string') env[name] = value;
      else if (Object.hasOwn(references, name)) env[name] = references[name];
      else throw new Error(`no local value for ${name} (${JSON.stringify(value)})`);
    }
    runner = fork(path.join(__dirname, 'support', 'bundle-runner.cjs'), [JSON.stringify(Object.fromEntries([...assets].map(([name, asset]) => [name, asset.bundle])))], {
      env: {
        PATH: process.env.PATH,
        ...env,
        AWS_REGION: 'us-east-1',
        DYNAMODB_ENDPOINT: engines.dynamodbEndpoint,
        SQS_ENDPOINT: engines.sqsEndpoint,
        SECRETS_MANAGER_ENDPOINT: engines.secretsManagerEndpoint,
        // The receiver is on loopback, which the URL rules refuse unless exempted (local development only).
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      },
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    runner.stderr!.on('data', (chunk: Buffer) => { runnerStderr += chunk.toString('utf8'); });
    await new Promise<void>((resolve, reject) => {
      runner.once('exit', (code) => {
        const error = new Error(`bundle runner exited (${code}): ${runnerStderr}`);
        for (const waiter of waiting.values()) waiter.reject(error);
        waiting.clear();
        reject(error);
      });
      runner.on('message', (message: { ready?: boolean; id?: number; value?: unknown; error?: { name: string; message: string } }) => {
        if (message.ready) return resolve();
        const waiter = waiting.get(message.id!);
        if (!waiter) return;
        waiting.delete(message.id!);
        if (message.error) waiter.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
        else waiter.resolve(message.value);
      });
    });
  }, 60_000);

  afterAll(async () => {
    if (runner && runner.exitCode === null) runner.kill();
    await receiver?.close();
    if (enginesProcess && enginesProcess.exitCode === null) {
      const exited = new Promise((resolve) => enginesProcess!.once('exit', resolve));
      enginesProcess.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('key → authorizer; secret → webhook → automation → event → delivered; sweeper', async () => {
    const admin = { team: TEAM, role: 'admin' };
    // api + DynamoDB: a key; authorizer + DynamoDB: it authenticates, an unknown one does not.
    const key = await call('api', 'POST', `/teams/${TEAM}/keys`, admin, { role: 'admin', name: 'bundle-test' });
    expect(key.status).toBe(201);
    const token = (apiKey: string) => ({ type: 'TOKEN', authorizationToken: `Bearer ${apiKey}`, methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api/v1/GET/teams' });
    const allowed = await invoke<any>('authorizer', token(key.body.key));
    expect(allowed).toMatchObject({ principalId: key.body.id, context: { team: TEAM, role: 'admin' }, policyDocument: { Statement: [{ Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:000000000000:api/v1/*' }] } });
    // Well-formed but unknown (looked up, not found).
    const unknownKey = `${key.body.key.slice(0, -1)}${key.body.key.endsWith('A') ? 'B' : 'A'}`;
    await expect(invoke('authorizer', token(unknownKey))).rejects.toThrow('Unauthorized');

    // api + Secrets Manager.
    expect((await call('api', 'PUT', `/teams/${TEAM}/secrets/HMAC_KEY`, admin, { value: 'bundle-signing-secret' })).status).toBe(201);
    expect((await call('api', 'GET', `/teams/${TEAM}/secrets`, admin)).body.items).toEqual([expect.objectContaining({ name: 'HMAC_KEY' })]);

    const webhook = await call('api', 'POST', `/teams/${TEAM}/webhooks`, admin, { name: 'hook', url: `${receiver.url}/hook`, secret: 'HMAC_KEY' });
    expect(webhook.status).toBe(201);
    const automation = await call('api', 'POST', `/teams/${TEAM}/automations`, admin, {
      name: 'on-link', enabled: true,
      event: { type: 'LINK_ARTIFACT', collection: 'churn-model' },
      action: { type: 'WEBHOOK', webhookId: webhook.body.id, payload: { collection: '${artifact_collection_name}' } },
    });
    expect(automation.status).toBe(201);

    // ingest + DynamoDB + SQS: the event is recorded and its delivery enqueued.
    const accepted = await call('ingest', 'POST', `/teams/${TEAM}/events`, { team: '*', role: 'registry' }, {
      id: 'evt-bundles', type: 'LINK_ARTIFACT', author: 'alice', entity: 'acme', project: 'registry',
      artifact: { collection: 'churn-model', version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MQ==', versionString: 'acme/registry/churn-model:v1', metadata: {} },
      alias: 'production', tag: null,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toHaveLength(1);
    const deliveryId = accepted.body.deliveries[0].id as string;

    // deliver + SQS + DynamoDB + Secrets Manager: the message from the queue is sent, signed.
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: engines.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }));
    sqs.destroy();
    expect(received.Messages).toHaveLength(1);
    const event: SQSEvent = {
      Records: received.Messages!.map((message) => ({
        messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body!,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {}, md5OfBody: message.MD5OfBody ?? '', eventSource: 'aws:sqs', eventSourceARN: queueArn, awsRegion: 'us-east-1',
      })),
    };
    expect(await invoke('deliver', event)).toEqual({ batchItemFailures: [] });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/hook', headers: { 'x-wandb-delivery': deliveryId } });
    expect(receiver.requests[0].headers['x-wandb-signature']).toEqual(expect.any(String));
    expect(JSON.parse(receiver.requests[0].body)).toEqual({ collection: 'churn-model' });

    const delivery = await call('api', 'GET', `/teams/${TEAM}/deliveries/${deliveryId}`, admin);
    expect(delivery.body).toMatchObject({ status: 'succeeded', attempts: [{ number: 1, status: 200 }] });

    // sweeper + DynamoDB (+ SQS when something is overdue): nothing is.
    expect(await invoke('sweeper', {})).toEqual({ requeued: 0 });
  }, 120_000);
});
