/**
 * Drives the local Secrets Manager emulator with the real AWS SDK v3 client (and Powertools),
 * so local mode is proven to behave like the service for the calls the adapters make.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../bin/local/secrets-manager/server';

let dir: string;
let dataFile: string;
let emulator: SecretsManagerEmulator;
let client: SecretsManagerClient;

function clientFor(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** The SDK error a command fails with (name is the exception class the SDK picked). */
async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function listAll(input: ListSecretsCommandInput): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSecretsCommand({ ...input, NextToken }));
    names.push(...(page.SecretList ?? []).map((s) => s.Name!));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sm-emulator-'));
  dataFile = join(dir, 'nested', 'secrets.json');
  emulator = await startSecretsManagerEmulator({ dataFile });
  client = clientFor(emulator.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('secrets manager emulator', () => {
  it('listens on loopback and refuses other hosts', async () => {
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
    await expect(startSecretsManagerEmulator({ dataFile, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('creates, reads and rotates a secret value', async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: 'app/t1/a', SecretString: 'v1', Description: 'first' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/t1\/a-[A-Za-z0-9]{6}$/,
    );
    expect(created.Name).toBe('app/t1/a');
    expect(created.VersionId).toEqual(expect.any(String));

    const got = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/a' }));
    expect(got).toMatchObject({ ARN: created.ARN, Name: 'app/t1/a', SecretString: 'v1' });
    expect(got.VersionId).toBe(created.VersionId);
    expect(got.VersionStages).toEqual(['AWSCURRENT']);
    expect(got.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);

    const put = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'v2' }));
    expect(put).toMatchObject({ ARN: created.ARN, Name: 'app/t1/a', VersionStages: ['AWSCURRENT'] });
    expect(put.VersionId).not.toBe(created.VersionId);

    // Full ARN, partial ARN (no random suffix) and name all find the secret.
    const partialArn = created.ARN!.slice(0, -7);
    for (const SecretId of [created.ARN, partialArn, 'app/t1/a']) {
      const current = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(current.SecretString).toBe('v2');
    }
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'app/t1/a', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ SecretString: 'v1', VersionId: created.VersionId });
  });

  it('rotates as the console does: each version keeps its own CreatedDate, AWSCURRENT moves, AWSPREVIOUS follows', async () => {
    const first = await client.send(new CreateSecretCommand({ Name: 'app/t1/rot', SecretString: 'one' }));
    const firstRead = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/rot' }));
    const second = await client.send(new PutSecretValueCommand({ SecretId: 'app/t1/rot', SecretString: 'two' }));
    const third = await client.send(new PutSecretValueCommand({ SecretId: 'app/t1/rot', SecretString: 'three' }));

    const current = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/rot', VersionStage: 'AWSCURRENT' }));
    const previous = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/rot', VersionStage: 'AWSPREVIOUS' }));
    expect(current).toMatchObject({ SecretString: 'three', VersionId: third.VersionId, VersionStages: ['AWSCURRENT'] });
    expect(previous).toMatchObject({ SecretString: 'two', VersionId: second.VersionId, VersionStages: ['AWSPREVIOUS'] });
    // A version's CreatedDate is when that version was made, not when the secret was.
    expect(current.CreatedDate!.getTime()).toBeGreaterThanOrEqual(previous.CreatedDate!.getTime());
    expect(previous.CreatedDate!.getTime()).toBeGreaterThanOrEqual(firstRead.CreatedDate!.getTime());

    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'app/t1/rot' }));
    expect(listed.Name).toBe('app/t1/rot');
    expect(listed.Versions!.map((v) => [v.VersionId, v.VersionStages])).toEqual([
      [third.VersionId, ['AWSCURRENT']],
      [second.VersionId, ['AWSPREVIOUS']],
    ]);
    expect(listed.Versions!.every((v) => v.CreatedDate instanceof Date)).toBe(true);
    const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'app/t1/rot', IncludeDeprecated: true, MaxResults: 2 }));
    expect(all.Versions).toHaveLength(2);
    const rest = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'app/t1/rot', IncludeDeprecated: true, NextToken: all.NextToken }));
    expect(rest.Versions!.map((v) => [v.VersionId, v.VersionStages])).toEqual([[first.VersionId, []]]);
    expect(rest.NextToken).toBeUndefined();
    const badToken = await errorOf(client.send(new ListSecretVersionIdsCommand({ SecretId: 'app/t1/rot', NextToken: 'nope' })));
    expect(badToken.name).toBe('InvalidNextTokenException');
  });

  it('treats a repeated ClientRequestToken as a retry, not a new version', async () => {
    const token = 'a'.repeat(8) + '-bbbb-cccc-dddd-' + 'e'.repeat(12);
    const input = { Name: 'app/t1/idem', SecretString: 's', ClientRequestToken: token };
    const first = await client.send(new CreateSecretCommand(input));
    const again = await client.send(new CreateSecretCommand(input));
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: token });
    const clash = await errorOf(client.send(new CreateSecretCommand({ ...input, SecretString: 'x' })));
    expect(clash.name).toBe('ResourceExistsException');
  });

  it('describes a secret: description, tags and the versions of each staging label', async () => {
    const created = await client.send(
      new CreateSecretCommand({
        Name: 'app/t1/tagged',
        SecretString: 'x',
        Description: 'd1',
        Tags: [{ Key: 'team', Value: 't1' }, { Key: 'env' }],
      }),
    );
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'app/t1/tagged', SecretString: 'y' }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'app/t1/tagged' }));
    expect(described).toMatchObject({
      Name: 'app/t1/tagged',
      Description: 'd1',
      Tags: [{ Key: 'team', Value: 't1' }, { Key: 'env' }],
    });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(described.LastChangedDate!.getTime()).toBeGreaterThanOrEqual(described.CreatedDate!.getTime());
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId!]: ['AWSPREVIOUS'],
      [put.VersionId!]: ['AWSCURRENT'],
    });
  });

  it('moves only the staging labels PutSecretValue names', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'app/t1/staged', SecretString: 'v1' }));
    const pending = await client.send(
      new PutSecretValueCommand({ SecretId: 'app/t1/staged', SecretString: 'v2', VersionStages: ['AWSPENDING'] }),
    );
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    const current = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/staged' }));
    expect(current).toMatchObject({ SecretString: 'v1', VersionId: created.VersionId });
    const byStage = await client.send(
      new GetSecretValueCommand({ SecretId: 'app/t1/staged', VersionStage: 'AWSPENDING' }),
    );
    expect(byStage.SecretString).toBe('v2');

    const mismatch = await errorOf(
      client.send(
        new GetSecretValueCommand({ SecretId: 'app/t1/staged', VersionId: created.VersionId, VersionStage: 'AWSPENDING' }),
      ),
    );
    expect(mismatch.name).toBe('InvalidRequestException');
    const noPrevious = await errorOf(
      client.send(new GetSecretValueCommand({ SecretId: 'app/t1/staged', VersionStage: 'AWSPREVIOUS' })),
    );
    expect(noPrevious.name).toBe('ResourceNotFoundException');
    const noLabels = await errorOf(
      client.send(new PutSecretValueCommand({ SecretId: 'app/t1/staged', SecretString: 'v3', VersionStages: [] })),
    );
    expect(noLabels.name).toBe('InvalidParameterException');
  });

  it('lists with a name prefix filter, tag filters and pagination', async () => {
    for (let i = 0; i < 5; i++) {
      await client.send(
        new CreateSecretCommand({
          Name: `list/p/${i}`,
          SecretString: `s${i}`,
          Tags: [{ Key: 'idx', Value: String(i) }],
        }),
      );
    }
    await client.send(new CreateSecretCommand({ Name: 'list/q/0', SecretString: 'q' }));
    await client.send(new CreateSecretCommand({ Name: 'other/list/p', SecretString: 'o' }));

    const prefix = [{ Key: 'name' as const, Values: ['list/p/'] }];
    const page1 = await client.send(new ListSecretsCommand({ Filters: prefix, MaxResults: 2 }));
    expect(page1.SecretList!.map((s) => s.Name)).toEqual(['list/p/0', 'list/p/1']);
    expect(page1.NextToken).toEqual(expect.any(String));
    expect(page1.SecretList![0]).toMatchObject({ ARN: expect.stringContaining(':secret:list/p/0-') });
    expect(page1.SecretList![0].CreatedDate).toBeInstanceOf(Date);
    expect(page1.SecretList![0].Tags).toEqual([{ Key: 'idx', Value: '0' }]);
    expect(await listAll({ Filters: prefix, MaxResults: 2 })).toEqual([
      'list/p/0',
      'list/p/1',
      'list/p/2',
      'list/p/3',
      'list/p/4',
    ]);
    expect(await listAll({ Filters: [{ Key: 'name', Values: ['list/'] }] })).toHaveLength(6);
    expect(await listAll({ Filters: [{ Key: 'tag-value', Values: ['3'] }] })).toEqual(['list/p/3']);
    expect(
      await listAll({
        Filters: [
          { Key: 'name', Values: ['list/'] },
          { Key: 'tag-key', Values: ['!idx'] },
        ],
      }),
    ).toEqual(['list/q/0']);

    const bad = await errorOf(client.send(new ListSecretsCommand({ NextToken: 'garbage' })));
    expect(bad.name).toBe('InvalidNextTokenException');
  });

  it('deletes with a recovery window: hidden from lists, unreadable, still described', async () => {
    await client.send(new CreateSecretCommand({ Name: 'del/soft', SecretString: 'x' }));
    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: 'del/soft', RecoveryWindowInDays: 7 }),
    );
    const days = (deleted.DeletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    expect(await listAll({ Filters: [{ Key: 'name', Values: ['del/'] }] })).toEqual([]);
    expect(
      await listAll({ Filters: [{ Key: 'name', Values: ['del/'] }], IncludePlannedDeletion: true }),
    ).toEqual(['del/soft']);

    const read = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'del/soft' })));
    expect(read.name).toBe('InvalidRequestException');
    expect(read.message).toMatch(/marked for deletion/);
    const recreate = await errorOf(
      client.send(new CreateSecretCommand({ Name: 'del/soft', SecretString: 'y' })),
    );
    expect(recreate.name).toBe('InvalidRequestException');
    // The secrets adapter reads DeletedDate to treat a console-scheduled deletion as gone.
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'del/soft' }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
  });

  it('force-deletes at once, and the name can be reused', async () => {
    const first = await client.send(new CreateSecretCommand({ Name: 'del/hard', SecretString: 'x' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'del/hard', RecoveryWindowInDays: 30 }));
    // A secret already scheduled for deletion can still be force-deleted.
    await client.send(new DeleteSecretCommand({ SecretId: 'del/hard', ForceDeleteWithoutRecovery: true }));
    const gone = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'del/hard' })));
    expect(gone.name).toBe('ResourceNotFoundException');
    const second = await client.send(new CreateSecretCommand({ Name: 'del/hard', SecretString: 'y' }));
    expect(second.ARN).not.toBe(first.ARN);
  });

  it('raises the modelled exception classes', async () => {
    const missing = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$fault).toBe('client');
    expect(missing.message).toBe("Secrets Manager can't find the specified secret.");

    const exists = await errorOf(
      client.send(new CreateSecretCommand({ Name: 'app/t1/a', SecretString: 'z' })),
    );
    expect(exists.name).toBe('ResourceExistsException');

    const badName = await errorOf(
      client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'z' })),
    );
    expect(badName.name).toBe('InvalidParameterException');

    const both = await errorOf(
      client.send(
        new DeleteSecretCommand({
          SecretId: 'app/t1/a',
          ForceDeleteWithoutRecovery: true,
          RecoveryWindowInDays: 7,
        }),
      ),
    );
    expect(both.name).toBe('InvalidParameterException');
  });

  it('answers the wire protocol like the service', async () => {
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/secretsmanager/aws4_request',
    };
    const missing = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'secretsmanager.DescribeSecret' },
      body: JSON.stringify({ SecretId: 'nope' }),
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(missing.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await missing.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });

    const huge = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'secretsmanager.CreateSecret' },
      body: JSON.stringify({ Name: 'huge', SecretString: 'x'.repeat(1024 * 1024) }),
    });
    expect(huge.status).toBe(400);

    const unsigned = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': headers['content-type'], 'x-amz-target': 'secretsmanager.ListSecrets' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
  });

  it('answers an unsupported action with a 400 naming it, in the JSON protocol error shape', async () => {
    const raw = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/secretsmanager/aws4_request',
        'x-amz-target': 'secretsmanager.RotateSecret',
      },
      body: JSON.stringify({ SecretId: 'app/t1/a' }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await raw.json()).toEqual({
      __type: 'UnknownOperationException',
      message: expect.stringMatching(/does not support RotateSecret; it supports CreateSecret, /),
    });

    // The real SDK surfaces it as a client error with that message, not a parse failure.
    const sdk = await errorOf(client.send(new UpdateSecretCommand({ SecretId: 'app/t1/a', Description: 'x' })));
    expect(sdk.name).toBe('UnknownOperationException');
    expect(sdk.$fault).toBe('client');
    expect(sdk.$metadata?.httpStatusCode).toBe(400);
    expect(sdk.message).toMatch(/does not support UpdateSecret/);
    // Nothing changed, and the emulator still serves.
    const after = await client.send(new DescribeSecretCommand({ SecretId: 'app/t1/a' }));
    expect(after.Description).toBe('first');
  });

  it('serves Powertools SecretsProvider', async () => {
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    expect(await provider.get('app/t1/a', { maxAge: 0 })).toBe('v2');
  });

  it('keeps concurrent writes consistent', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.send(new CreateSecretCommand({ Name: `burst/${i}`, SecretString: `b${i}` })),
      ),
    );
    const onDisk = JSON.parse(await readFile(dataFile, 'utf8')) as { secrets: { name: string }[] };
    expect(onDisk.secrets.filter((s) => s.name.startsWith('burst/'))).toHaveLength(20);
  });

  it('persists to a 0600 file and survives a restart', async () => {
    expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    const before = await client.send(new DescribeSecretCommand({ SecretId: 'app/t1/a' }));
    client.destroy();
    await emulator.close();

    emulator = await startSecretsManagerEmulator({ dataFile });
    client = clientFor(emulator.endpoint);
    const after = await client.send(new GetSecretValueCommand({ SecretId: 'app/t1/a' }));
    expect(after).toMatchObject({ ARN: before.ARN, SecretString: 'v2' });
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'app/t1/a', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('v1');
    // The scheduled deletion survived too: the name is still taken until it becomes final.
    const soft = await errorOf(
      client.send(new CreateSecretCommand({ Name: 'del/soft', SecretString: 'z' })),
    );
    expect(soft.name).toBe('InvalidRequestException');
    expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
  });
});
