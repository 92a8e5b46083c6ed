/**
 * The p-th percentile (0–100) by linear interpolation between closest ranks (the "R-7" /
 * spreadsheet definition). Returns NaN for an empty list; does not modify `values`.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = sorted[lo]!;
  const high = sorted[hi]!;
  return low + (high - low) * (rank - lo);
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Median (50th percentile). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
