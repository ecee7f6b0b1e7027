/**
 * Runs local mode (`node --import tsx bin/local.ts`, what `npm start` runs) as a child
 * process on a free port with its own data directory, and talks to it over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** A running local mode under test. */
export interface LocalModeProcess {
  baseUrl: string;
  adminKey: string;
  registryKey: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything it printed (stdout + stderr) so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
}

/** Options: extra environment, and a data dir to reuse (for restart tests). */
export interface LocalModeOptions {
  env?: Record<string, string>;
  dataDir?: string;
  startTimeoutMs?: number;
}

/** A fresh temporary data directory. */
export function tempDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'rw-local-'));
}

/** Starts local mode and resolves once it prints READY. */
export async function startLocalMode(options: LocalModeOptions = {}): Promise<LocalModeProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const adminKey = options.env?.LOCAL_ADMIN_KEY ?? `admin_${Math.random().toString(36).slice(2)}_key_for_tests`;
  const registryKey = options.env?.LOCAL_REGISTRY_KEY ?? `registry_${Math.random().toString(36).slice(2)}_key_for_tests`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      LOCAL_DATA_DIR: dataDir,
      LOCAL_ADMIN_KEY: adminKey,
      LOCAL_REGISTRY_KEY: registryKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local mode did not start in time:\n${output}`)), options.startTimeoutMs ?? 45_000);
    const check = () => {
      const ready = /^READY (http:\/\/\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local mode exited with ${code}:\n${output}`));
    });
  });

  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    baseUrl, adminKey, registryKey, dataDir, child,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill9: () => signal('SIGKILL'),
  };
}

/** Removes a data directory made by tempDataDir. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
