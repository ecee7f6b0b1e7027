/**
 * Local mode's settings (api.md, "Local mode settings"), read from the environment of
 * `npm start`, and the names it gives its tables and queues.
 */
import path from 'node:path';

/** What `npm start` was asked to do. */
export interface LocalSettings {
  port: number;
  dataDir: string;
  team: string;
  adminKey: string | undefined;
  registryKey: string | undefined;
  /** Parallel queue consumers, like the deployed event source's maximum concurrency. */
  deliverConcurrency: number;
  /** How often the sweeper runs (ms). */
  sweepIntervalMs: number;
  /** How often expired items are deleted (ms): local mode's TTL (ttl-sweep.ts). */
  ttlSweepIntervalMs: number;
}

/** Resource names in the embedded engines. */
export const LOCAL_RESOURCES = {
  configTable: 'registry-webhooks-config',
  deliveriesTable: 'registry-webhooks-deliveries',
  eventsTable: 'registry-webhooks-events',
  limitsTable: 'registry-webhooks-limits',
  queue: 'registry-webhooks-deliveries',
  deadLetterQueue: 'registry-webhooks-deliveries-dlq',
} as const;

/** Reads the settings; throws with a clear message on a bad one. */
export function readLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number (0 picks a free one)');
  const team = env.LOCAL_TEAM || 'demo';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(team)) throw new Error('LOCAL_TEAM must match ^[A-Za-z0-9_-]{1,64}$');
  const deliverConcurrency = Number(env.LOCAL_DELIVER_CONCURRENCY || 4);
  if (!Number.isInteger(deliverConcurrency) || deliverConcurrency < 1 || deliverConcurrency > 64) {
    throw new Error('LOCAL_DELIVER_CONCURRENCY must be an integer from 1 to 64');
  }
  const sweepIntervalMs = Number(env.LOCAL_SWEEP_INTERVAL_MS || 30000);
  if (!Number.isInteger(sweepIntervalMs) || sweepIntervalMs < 100 || sweepIntervalMs > 3_600_000) {
    throw new Error('LOCAL_SWEEP_INTERVAL_MS must be an integer from 100 to 3600000');
  }
  const ttlSweepIntervalMs = Number(env.LOCAL_TTL_SWEEP_INTERVAL_MS || 60_000);
  if (!Number.isInteger(ttlSweepIntervalMs) || ttlSweepIntervalMs < 100 || ttlSweepIntervalMs > 86_400_000) {
    throw new Error('LOCAL_TTL_SWEEP_INTERVAL_MS must be an integer from 100 to 86400000');
  }
  return {
    port,
    dataDir: path.resolve(env.LOCAL_DATA_DIR || '.local'),
    team,
    adminKey: env.LOCAL_ADMIN_KEY || undefined,
    registryKey: env.LOCAL_REGISTRY_KEY || undefined,
    deliverConcurrency,
    sweepIntervalMs,
    ttlSweepIntervalMs,
  };
}
