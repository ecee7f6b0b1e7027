/**
 * Runs the admin CLI (`npm run keys -- create … --local`) against a running local mode, the
 * way a platform engineer makes a team's first admin key. The key is the last output line.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LocalModeProcess } from './local-mode';

const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

/** Creates a key with the CLI and returns it. */
export async function createKeyWithCli(local: LocalModeProcess, options: { team: string; role: 'admin' | 'member' | 'registry'; name?: string }): Promise<string> {
  const args = ['run', '--silent', 'keys', '--', 'create', '--team', options.team, '--role', options.role, '--local'];
  if (options.name) args.push('--name', options.name);
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DATA_DIR: local.dataDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.PORT;
  const { stdout } = await run('npm', args, { cwd: ROOT, env, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  const key = lines[lines.length - 1].trim();
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(key)) throw new Error(`keys CLI did not print a key on its last line:\n${stdout}`);
  return key;
}
