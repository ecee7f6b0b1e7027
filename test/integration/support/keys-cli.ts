/**
 * Runs the admin CLI (`npm run keys -- …`) the way a platform engineer does: against a
 * running local mode (`--local`), or against a config table (the deployed path). The key is
 * the last output line.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LocalModeProcess } from './local-mode';

const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

/** Exit code and output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run keys -- <args>` with extra environment; never throws on a non-zero exit. */
export async function runKeysCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
  delete fullEnv.PORT;
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'keys', '--', ...args], { cwd: ROOT, env: fullEnv, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The key on the last line of a successful run. */
export function keyFrom(result: CliRun): string {
  const key = result.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (result.code !== 0 || !/^[A-Za-z0-9_-]{20,200}$/.test(key)) {
    throw new Error(`keys CLI did not print a key on its last line (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return key;
}

/** Creates a key with the CLI against local mode and returns it. */
export async function createKeyWithCli(local: LocalModeProcess, options: { team: string; role: 'admin' | 'member' | 'registry'; name?: string }): Promise<string> {
  const args = ['create', '--team', options.team, '--role', options.role, '--local', ...(options.name ? ['--name', options.name] : [])];
  return keyFrom(await runKeysCli(args, { LOCAL_DATA_DIR: local.dataDir }));
}
