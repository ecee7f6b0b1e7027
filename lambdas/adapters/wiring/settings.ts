/** The runtime settings and the clock, read once per process. */
import { loadRuntimeConfig } from '../../domain/config';
import { once } from './once';

/** Settings from the environment; a bad one fails the first call with a clear message. */
export const runtimeConfig = once(() => loadRuntimeConfig(process.env));

/** Wall-clock time. */
export const systemClock = (): Date => new Date();
