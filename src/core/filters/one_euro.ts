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
 * The filter one sample at a time: `next(t, x)` takes the samples in order (times increasing
 * strictly) and returns the filtered vector. The first sample passes unchanged.
 */
export class OneEuroState {
  private tPrev = 0;
  private prev: number[] | undefined;
  private dPrev: number[] = [];

  constructor(private readonly p: OneEuroParams) {}

  next(t: number, x: readonly number[]): number[] {
    const prev = this.prev;
    if (!prev) {
      this.prev = x.slice();
      this.dPrev = new Array<number>(x.length).fill(0);
      this.tPrev = t;
      return x.slice();
    }
    const dt = t - this.tPrev;
    const aD = alpha(this.p.derivativeCutoffHz, dt);
    const d = x.map((v, k) => aD * ((v - prev[k]!) / dt) + (1 - aD) * this.dPrev[k]!);
    const speed = Math.hypot(...d);
    const a = alpha(this.p.minCutoffHz + this.p.beta * speed, dt);
    const y = x.map((v, k) => a * v + (1 - a) * prev[k]!);
    this.prev = y;
    this.dPrev = d;
    this.tPrev = t;
    return y.slice();
  }
}

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
  const state = new OneEuroState(p);
  return values.map((x, i) => state.next(times[i]!, x));
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
