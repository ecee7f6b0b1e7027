/**
 * What figure 1 runs, bundled by deliver-path.ts exactly as the stack bundles a Lambda
 * (lib/functions.ts BUNDLING, through cold-start.ts's esbuildOptions): the deliver handler and
 * the pieces it is wired with, so the figure measures the code Lambda runs (minified esbuild
 * output), not the TypeScript loader's transform of the sources.
 */
export { secretsManager } from '../lambdas/adapters/aws/secrets-manager';
export { MemoryDeliveryStore, MemoryEventStore, MemoryFlightStore, MemoryNotifier, MemoryQueue, MemoryRateLimiter, MemoryWebhookStore } from '../lambdas/adapters/memory';
export { HEALTHY } from '../lambdas/domain/types';
export { secretStore } from '../lambdas/adapters/wiring/secrets';
export { webhookSender } from '../lambdas/adapters/wiring/sender';
export { runtimeConfig, systemClock } from '../lambdas/adapters/wiring/settings';
export { prepareRequest } from '../lambdas/domain/outgoing';
export { createDeliverHandler } from '../lambdas/handlers/deliver';
export { InFlightGuard } from '../lambdas/domain/services/in-flight';
export { CLAIM_MARGIN_MS } from '../lambdas/domain/services/delivery-worker';
