/**
 * One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): a low-pass filter whose cutoff rises with
 * the signal's speed, so slow motion is smoothed strongly (jitter removed) and fast motion lags
 * little. Same parameters as MediaPipe's OneEuroFilter calculator.
 */
export interface OneEuroParams {
  /** Cutoff at zero speed (Hz). Lower = smoother when still. */
  minCutoffHz: number;
  /** How fast the cutoff grows with speed (1/(unit/s)). Higher = less lag when moving. */
  beta: number;
  /** Cutoff used to smooth the speed estimate itself (Hz). */
  derivativeCutoffHz: number;
}

const alpha = (cutoffHz: number, dtS: number): number => {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtS);
};

/**
 * Filters a sampled vector signal. `times` (s) must increase strictly; `values[i]` is a vector of
 * any fixed dimension. Returns a new array; inputs are not modified.
 */
export function oneEuroFilter(
  times: readonly number[],
  values: readonly number[][],
  p: OneEuroParams,
): number[][] {
  if (times.length !== values.length) throw new RangeError("times and values differ in length");
  if (values.length === 0) return [];
  const dim = values[0]!.length;
  const out: number[][] = [values[0]!.slice()];
  let prev = values[0]!.slice();
  let dPrev = new Array<number>(dim).fill(0);
  for (let i = 1; i < values.length; i++) {
    const dt = times[i]! - times[i - 1]!;
    const x = values[i]!;
    const aD = alpha(p.derivativeCutoffHz, dt);
    const d = x.map((v, k) => aD * ((v - prev[k]!) / dt) + (1 - aD) * dPrev[k]!);
    const speed = Math.hypot(...d);
    const a = alpha(p.minCutoffHz + p.beta * speed, dt);
    const y = x.map((v, k) => a * v + (1 - a) * prev[k]!);
    out.push(y);
    prev = y;
    dPrev = d;
  }
  return out;
}

/**
 * Zero-phase One-Euro smoothing for offline signals: the filter run forward, then backward over
 * its output (as filtfilt does for linear filters). Each pass delays the signal in its own
 * direction, so the delays cancel: a smoothed recording stays aligned in time with the raw one,
 * where the forward filter alone trails it by tens of milliseconds when it moves.
 */
export function oneEuroZeroPhase(
  times: readonly number[],
  values: readonly number[][],
  p: OneEuroParams,
): number[][] {
  const forward = oneEuroFilter(times, values, p);
  const end = times.length > 0 ? times[times.length - 1]! : 0;
  const reversedTimes = times.map((_, i) => end - times[times.length - 1 - i]!);
  return oneEuroFilter(reversedTimes, forward.slice().reverse(), p).reverse();
}
