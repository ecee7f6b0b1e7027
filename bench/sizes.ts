/** How big each figure runs: `full` (the default, a few minutes on 2 cores) or `tiny` (the smoke test). */
import os from 'node:os';
import type { ColdStartOptions } from './cold-start';
import type { EndToEndOptions } from './end-to-end';
import type { FairnessOptions } from './fairness';
import type { MatchingOptions } from './matching';

export type Scale = 'full' | 'tiny';

export interface Sizes {
  deliver: { rounds: number; deliveriesPerRound: number; barePostsPerRound: number; warmupDeliveries: number; concurrency: number; batchSize: number };
  manual: { rounds: number; deliveriesPerRound: number; loops: number[] };
  endToEnd: EndToEndOptions;
  matching: MatchingOptions;
  coldStart: ColdStartOptions;
  fairness: FairnessOptions;
}

export function sizesFor(scale: Scale): Sizes {
  const cores = Math.max(1, os.cpus().length);
  if (scale === 'tiny') {
    return {
      deliver: { rounds: 2, deliveriesPerRound: 40, barePostsPerRound: 40, warmupDeliveries: 20, concurrency: 2, batchSize: 10 },
      manual: { rounds: 2, deliveriesPerRound: 4, loops: [1, 2] },
      endToEnd: { rounds: 2, eventsPerRound: 5, warmupEvents: 3, concurrency: 2 },
      matching: { small: 10, large: 30, rounds: 2, eventsPerRound: 2, warmupEvents: 1 },
      coldStart: { repeats: 1 },
      fairness: { hungDeliveries: 12, healthyDeliveries: 4, spacingMs: 20 },
    };
  }
  return {
    deliver: { rounds: 7, deliveriesPerRound: 4000, barePostsPerRound: 12_000, warmupDeliveries: 6000, concurrency: 4, batchSize: 10 },
    manual: { rounds: 5, deliveriesPerRound: 40, loops: [1, cores] },
    endToEnd: { rounds: 3, eventsPerRound: 300, warmupEvents: 60, concurrency: 8 },
    matching: { small: 10, large: 10_000, rounds: 7, eventsPerRound: 40, warmupEvents: 20 },
    coldStart: { repeats: 7 },
    fairness: { hungDeliveries: 120, healthyDeliveries: 40, spacingMs: 75 },
  };
}

/** BENCH_SCALE or `--scale=…`; `full` unless told otherwise. */
export function scaleFrom(argv: readonly string[], env: NodeJS.ProcessEnv): Scale {
  const flag = argv.find((arg) => arg.startsWith('--scale='))?.slice('--scale='.length);
  const value = flag ?? env.BENCH_SCALE ?? 'full';
  if (value !== 'full' && value !== 'tiny') throw new Error(`BENCH_SCALE must be full or tiny, got ${value}`);
  return value;
}
