/**
 * `node --import tsx bench/signing.ts`: what signing costs per delivery, on one core: the
 * product page's `X-Wandb-Signature` alone, and the Standard Webhooks headers with one value and
 * with two (during a rotation's overlap), for a typical default payload and for a 200 KB one.
 * Median of 7 rounds (min–max), microseconds per call, after a warm-up.
 */
import { signPayload, standardWebhookHeaders } from '../lambdas/domain/signing';
import { sampleEvent, renderBody } from '../lambdas/domain/template';

const typical = renderBody(undefined, sampleEvent(), { accessToken: null, secretName: null, secretValue: null });
const large = JSON.stringify({ data: 'x'.repeat(200_000) });
const at = new Date();

function measure(calls: number, work: () => unknown): { median: number; min: number; max: number } {
  for (let i = 0; i < Math.min(calls, 20_000); i++) work();
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) work();
    rounds.push(Number(process.hrtime.bigint() - start) / calls / 1000);
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[3], min: rounds[0], max: rounds[6] };
}

const rows: Array<[string, number, () => unknown]> = [];
for (const [label, body, calls] of [[`typical body (${Buffer.byteLength(typical)} B)`, typical, 100_000], ['200 KB body', large, 2_000]] as const) {
  rows.push([`X-Wandb-Signature, ${label}`, calls, () => signPayload('my-signing-secret', body)]);
  rows.push([`Standard Webhooks, 1 value, ${label}`, calls, () => standardWebhookHeaders(['my-signing-secret'], 'dlv_0mf3k2abc', at, body)]);
  rows.push([`Standard Webhooks, 2 values (rotation), ${label}`, calls, () => standardWebhookHeaders(['my-signing-secret', 'previous-secret'], 'dlv_0mf3k2abc', at, body)]);
}
for (const [label, calls, work] of rows) {
  const { median, min, max } = measure(calls, work);
  process.stdout.write(`| ${label} | ${median.toFixed(1)} µs | ${min.toFixed(1)}–${max.toFixed(1)} |\n`);
}
