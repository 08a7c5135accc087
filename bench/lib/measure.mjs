// Measurement helpers shared by every peer's child process. Each peer runs in its own
// Node process (two embedded Pythons in one process would fight over libpython), so these
// helpers only time things and hand plain numbers back to bench/run.mjs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const nowUs = () => Number(process.hrtime.bigint()) / 1000;

/**
 * Median µs of one awaited `fn()`, timed one iteration at a time after a warm-up.
 * `check` runs on the warm-up's first result so a wrong answer is an error, not a fast figure.
 */
export async function timeAsync(fn, { iterations, warmup = Math.ceil(iterations / 10), check } = {}) {
  const first = await fn();
  if (check) check(first);
  for (let i = 1; i < warmup; i++) await fn();
  const samples = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t = nowUs();
    await fn();
    samples[i] = nowUs() - t;
  }
  return median(samples);
}

/** Same as timeAsync for a synchronous API. */
export function timeSync(fn, { iterations, warmup = Math.ceil(iterations / 10), check } = {}) {
  const first = fn();
  if (check) check(first);
  for (let i = 1; i < warmup; i++) fn();
  const samples = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t = nowUs();
    fn();
    samples[i] = nowUs() - t;
  }
  return median(samples);
}

/** Throughput with `width` calls in flight: median µs per call over `rounds` batches. */
export async function timeInFlight(fn, { width = 16, rounds, warmup = Math.ceil(rounds / 10), check } = {}) {
  const batch = () => Promise.all(Array.from({ length: width }, fn));
  const first = await batch();
  if (check) first.forEach(check);
  for (let i = 1; i < warmup; i++) await batch();
  const samples = new Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const t = nowUs();
    await batch();
    samples[i] = (nowUs() - t) / width;
  }
  return median(samples);
}

/**
 * Largest event-loop stall (ms) while `work()` runs, from perf_hooks' event-loop delay
 * histogram at 1 ms resolution. The histogram records how late its 1 ms timer fired, so a
 * loop blocked on the GIL shows up as one large sample. Repeated `reps` times; the median
 * of the per-run maxima is the figure, and every run's maximum is kept.
 */
export async function stall(work, { reps = 5 } = {}) {
  const maxima = [];
  for (let i = 0; i < reps; i++) {
    await sleep(20);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await sleep(5);
    await work();
    await sleep(5);
    h.disable();
    maxima.push(h.max / 1e6);
  }
  return { value: median(maxima), all: maxima };
}

/** Idle noise floor of the same probe, so the stall figures can be read against it. */
export function idleStall(reps = 5) {
  return stall(() => sleep(200), { reps });
}

export const expectEq = (want) => (got) => {
  if (got !== want && !(typeof got === 'number' && Math.abs(got - want) < 1e-9)) {
    throw new Error(`expected ${String(want)}, got ${String(got)}`);
  }
};

/** A 10k-element JS array and a 10k Float64Array with known sums. */
export function inputs() {
  const n = 10_000;
  const array = Array.from({ length: n }, (_, i) => i);
  const f64 = new Float64Array(n);
  for (let i = 0; i < n; i++) f64[i] = i + 0.5;
  // 1M doubles (8 MB): large enough that copying shows, cheap enough in Python (nbytes) not to hide it.
  const big = new Float64Array(1 << 20).fill(1.5);
  return { array, arraySum: (n * (n - 1)) / 2, f64, f64Sum: (n * (n - 1)) / 2 + n * 0.5, big, bigBytes: big.byteLength };
}

export const MB = 1 << 20;
export const byteLength = (v) => (typeof v === 'string' ? v.length : v.byteLength);

/**
 * Runs the figures a peer supports, each guarded so one failure is reported as n/a with
 * its reason instead of losing the peer's other figures. Prints one JSON line on stdout.
 */
export async function runFigures(peer, figures) {
  const out = { peer, figures: {}, errors: {}, info: {} };
  for (const [key, fn] of Object.entries(figures)) {
    try {
      const v = await fn(out.info);
      if (v === undefined) continue;
      if (typeof v === 'object') {
        out.figures[key] = v.value;
        if (v.all) out.info[`${key}_all`] = v.all;
      } else out.figures[key] = v;
    } catch (e) {
      // Python tracebacks put the useful line last.
      const lines = String(e?.message ?? e).split('\n').map((l) => l.trim()).filter(Boolean);
      out.errors[key] = (lines[0]?.startsWith('Traceback') ? lines.at(-1) : lines[0]) ?? 'failed';
    }
  }
  process.stdout.write(`@@BENCH ${JSON.stringify(out)}\n`);
}
