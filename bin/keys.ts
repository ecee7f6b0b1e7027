/**
 * Admin CLI for API keys: the first admin key of a team, and registry keys.
 *
 *   npm run keys -- create --team <team> --role admin|member|registry [--name N] [--local]
 *       [--table <config table>] [--stack <stack name>] [--region <region>]
 *
 * With --local it writes to the running local mode of the same LOCAL_DATA_DIR (and PORT):
 * that process holds the embedded DynamoDB, so the CLI talks to it over loopback. Without
 * --local it writes to the deployed config table: named by --table, or read from the
 * stack's ConfigTableName output (default stack RegistryWebhooks), with AWS credentials
 * from the environment. The new key is printed alone on the last line.
 */
import './quiet-sdk-warning';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoKeyStore } from '../lambdas/adapters/dynamo/key-store';
import { TEAM_PATTERN } from '../lambdas/domain/schemas';
import { issueKey } from '../lambdas/domain/services/keys';
import { readRuntime } from './local/runtime-file';

const USAGE = 'usage: npm run keys -- create --team <team> --role admin|member|registry [--name N] [--local] [--table T] [--stack S] [--region R]';
const ROLES = ['admin', 'member', 'registry'] as const;

type Role = (typeof ROLES)[number];

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

async function deployedTable(stack: string, region: string | undefined): Promise<string> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
  const output = Stacks?.[0]?.Outputs?.find((candidate) => candidate.OutputKey === 'ConfigTableName');
  if (!output?.OutputValue) throw new Error(`stack ${stack} has no ConfigTableName output`);
  return output.OutputValue;
}

async function target(options: { local: boolean; table?: string; stack: string; region?: string }) {
  if (options.local) {
    const dataDir = path.resolve(process.env.LOCAL_DATA_DIR || '.local');
    const runtime = readRuntime(dataDir);
    if (!runtime) throw new Error(`local mode is not running with LOCAL_DATA_DIR=${dataDir}; start it with npm start`);
    if (process.env.PORT && Number(process.env.PORT) !== 0 && Number(process.env.PORT) !== runtime.port) {
      throw new Error(`local mode in ${dataDir} listens on port ${runtime.port}, not PORT=${process.env.PORT}`);
    }
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: runtime.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return { client, table: runtime.configTable, where: `local mode at ${runtime.baseUrl}` };
  }
  const table = options.table ?? (await deployedTable(options.stack, options.region));
  return { client: new DynamoDBClient(options.region ? { region: options.region } : {}), table, where: `table ${table}` };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      team: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      local: { type: 'boolean', default: false },
      table: { type: 'string' },
      stack: { type: 'string', default: 'RegistryWebhooks' },
      region: { type: 'string' },
    },
  });
  if (positionals[0] !== 'create' || positionals.length !== 1) fail('the only command is "create"');
  const role = values.role as Role;
  if (!ROLES.includes(role)) fail('--role must be admin, member or registry');
  if (!values.team || !TEAM_PATTERN.test(values.team)) fail('--team must match ^[A-Za-z0-9_-]{1,64}$');
  const name = values.name?.trim() ?? `${values.role} key (cli)`;
  if (name.length < 1 || name.length > 128) fail('--name must be 1-128 characters, as in the API');
  // Registry keys are valid for every team, so they are stored under the team `*`.
  const team = role === 'registry' ? '*' : values.team;

  const { client, table, where } = await target({ local: values.local, table: values.table, stack: values.stack, region: values.region });
  try {
    const keys = new DynamoKeyStore(DynamoDBDocumentClient.from(client), table);
    const { record, key } = await issueKey({ keys, now: () => new Date() }, team, role, name);
    process.stdout.write(`created ${record.role} key ${record.id} for team ${record.team} in ${where}\n${key}\n`);
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
