/** Small statistics helpers: every figure is reported as median with min and max over rounds. */

/** A figure measured over several rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Every round's value, in the order measured. */
  samples: number[];
}

/** The value at quantile `q` (0..1) of `values`, by linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Median, min and max of the samples. */
export function summarize(samples: readonly number[]): Summary {
  return {
    median: quantile(samples, 0.5),
    min: samples.length ? Math.min(...samples) : Number.NaN,
    max: samples.length ? Math.max(...samples) : Number.NaN,
    samples: [...samples],
  };
}

/** Rounds to `digits` significant decimals for display and JSON (keeps results.json readable). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Milliseconds on a clock shared by every process of the machine (sub-millisecond resolution). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
