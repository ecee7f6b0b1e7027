/**
 * Figure 2 — the product page's manual recipe (seed: create-webhooks.md, "Example Bash Script"):
 * per delivery, `openssl dgst -sha256 -hmac … | base64` for the signature and one `curl -X POST`
 * with the same headers, run as a bash loop against the same receiver and with the same body
 * the deliver path sends. `loops` such loops run side by side; each round sends
 * `deliveriesPerRound` deliveries in all.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderPayload } from '../lambdas/domain/template';
import { ACCESS_TOKEN, benchEvent, SIGNING_SECRET, TEMPLATE } from './fixtures';
import type { BenchReceiver } from './receiver';
import { summarize, type Summary } from './stats';

export interface ManualRecipeOptions {
  rounds: number;
  deliveriesPerRound: number;
  /** Bash loops running side by side. */
  loops: number;
}

export interface ManualRecipeResult {
  loops: number;
  deliveriesPerRound: number;
  perSecond: Summary;
}

/** The seed's script, once per delivery, `COUNT` times. Values come from the environment. */
const SCRIPT = `#!/bin/bash
# The product page's recipe (create-webhooks.md, "Example Bash Script"), once per delivery.
for ((i = 0; i < COUNT; i++)); do
  # Generate the HMAC signature
  SIGNATURE=$(echo -n "$PAYLOAD" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64)
  # Make the cURL request
  curl -X POST \\
    -H "Content-Type: application/json" \\
    -H "Authorization: Bearer $ACCESS_TOKEN" \\
    -H "X-Wandb-Signature: $SIGNATURE" \\
    -d "$PAYLOAD" "$API_ENDPOINT"
done
`;

function runLoop(script: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`manual recipe exited ${code}: ${stderr.slice(0, 300)}`))));
  });
}

export async function runManualRecipe(receiver: BenchReceiver, options: ManualRecipeOptions): Promise<ManualRecipeResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-manual-'));
  try {
    const script = path.join(dir, 'deliver.sh');
    writeFileSync(script, SCRIPT, { mode: 0o700 });
    const { body } = renderPayload(TEMPLATE, benchEvent('evt-manual', Date.now()), { accessToken: ACCESS_TOKEN, secretName: 'HMAC_KEY', secretValue: SIGNING_SECRET });
    const perLoop = Math.ceil(options.deliveriesPerRound / options.loops);
    const total = perLoop * options.loops;
    const env = {
      PATH: process.env.PATH, COUNT: String(perLoop), PAYLOAD: body, SECRET: SIGNING_SECRET, ACCESS_TOKEN,
      API_ENDPOINT: `${receiver.url}/hooks/manual`,
    };
    await runLoop(script, { ...env, COUNT: '2' }); // warm the file cache
    const rates: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      await receiver.reset();
      const started = performance.now();
      await Promise.all(Array.from({ length: options.loops }, () => runLoop(script, env)));
      const seconds = (performance.now() - started) / 1000;
      const stats = await receiver.stats();
      if (stats.count !== total || stats.signed !== total) throw new Error(`manual recipe: receiver got ${stats.count} of ${total}`);
      rates.push(total / seconds);
    }
    return { loops: options.loops, deliveriesPerRound: total, perSecond: summarize(rates) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
