/**
 * `npx cdk synth` works with networking off: run inside a fresh network namespace
 * (`unshare -n -r`: no interfaces but a downed loopback), it must bundle every Lambda with
 * the local esbuild (no Docker, no downloads) and write the template.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('cdk synth succeeds with no network', () => {
  const probe = spawnSync('unshare', ['-n', '-r', 'true']);
  if (probe.status !== 0) throw new Error(`cannot make a network namespace here (unshare -n -r): ${probe.stderr?.toString()}`);
  const out = mkdtempSync(path.join(os.tmpdir(), 'rw-synth-'));
  try {
    execFileSync('unshare', ['-n', '-r', 'npx', 'cdk', 'synth', '--no-notices', '-q', '-o', out], {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', CDK_DISABLE_VERSION_CHECK: '1' },
      stdio: 'pipe',
      timeout: 240_000,
    });
    const template = JSON.parse(readFileSync(path.join(out, 'RegistryWebhooks.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(5);
    const bundles = readdirSync(out).filter((entry) => entry.startsWith('asset.') && existsSync(path.join(out, entry, 'index.js')));
    expect(bundles.length).toBeGreaterThanOrEqual(5);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 300_000);
